using Planner.Checkpoints;
using Planner.Tests.Training;
using Planner.Torch.Training;
using Planner.Torch.Training.Hierarchy;

namespace Planner.Tests.HierarchyTraining;

public class HierarchyTrainerTests
{
    private static HierarchyTrainingOptions Tiny() => new()
    {
        Level0 = new JepaOptions
        {
            LatentDim = 6, EncoderHidden = [16], PredictorHidden = [16], PredictionSteps = 2, ChunkSteps = 4,
            BatchSize = 16, Epochs = 2, Patience = 0, Seed = 1, Threads = 1,
        },
        Macro = MacroActionTrainerTests.Small() with { Epochs = 2, RolloutSteps = 2 },
        FirstTimeScale = 4,
        TimeScaleRatio = 2,
    };

    [Test]
    public void TrainsEveryLevelSavesOneDirectoryAndLoadsItBack()
    {
        var data = SyntheticPointMass.States(10, 16, seed: 2);
        var reports = new List<LevelProgress>();
        var log = new StringWriter();
        var bar = new HierarchyProgressBar(log, interactive: false);
        string dir = MacroActionTrainerTests.TempDir();
        try
        {
            using var trained = HierarchyTrainer.Train(data, 3, Tiny(), new Both(reports, bar), dir);
            Assert.That(trained.Levels, Is.EqualTo(3));
            Assert.That(trained.TimeScales(), Is.EqualTo(new[] { 1, 4, 8 }));
            Assert.That(reports.Where(r => r.Progress.EpochDone && !r.Progress.Finished).Select(r => r.Level), Is.EqualTo(new[] { 0, 0, 1, 1, 2, 2 }));
            Assert.That(reports.Where(r => r.Progress.Finished).Select(r => r.Level), Is.EqualTo(new[] { 0, 1, 2 }), "one final report per level");
            Assert.That(log.ToString(), Does.Contain("level 2/2 epoch").And.Contain("level 2/2 done: 2 epochs"));

            Assert.That(HierarchyManifest.Load(dir).TimeScales, Is.EqualTo(new[] { 1, 4, 8 }));
            using var loaded = TrainedHierarchy.Load(dir);
            Assert.That(loaded.TimeScales(), Is.EqualTo(new[] { 1, 4, 8 }));
            for (int k = 0; k < 2; k++)
            {
                var a = trained.MacroLevels[k].ToTensors();
                var b = loaded.MacroLevels[k].ToTensors();
                for (int i = 0; i < a.Count; i++) Assert.That(b[i].Data, Is.EqualTo(a[i].Data), $"level {k + 1} {a[i].Name}");
            }
            // Level 0 alone stays a plain world-model checkpoint.
            using var level0 = TrainedWorldModel.Load(dir);
            Assert.That(level0.LatentDim, Is.EqualTo(6));

            Directory.Delete(Path.Combine(dir, "level2"), recursive: true);
            var e = Assert.Throws<CheckpointException>(() => TrainedHierarchy.Load(dir));
            Assert.That(e!.Message, Does.Contain("level2"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void UpperLevelsTrainOverAnExistingLevel0WithoutChangingIt()
    {
        var data = SyntheticPointMass.States(10, 16, seed: 2);
        var options = Tiny();
        string dir = MacroActionTrainerTests.TempDir();
        try
        {
            var level0 = JepaTrainer.Train(data, options.Level0);
            var before = level0.ToTensors().Select(t => t.Data.ToArray()).ToList();
            using var trained = HierarchyTrainer.TrainUpperLevels(level0, data, 2, options, directory: dir);
            Assert.That(trained.Levels, Is.EqualTo(2));
            var after = trained.Level0.ToTensors();
            for (int i = 0; i < before.Count; i++) Assert.That(after[i].Data, Is.EqualTo(before[i]), $"level 0 is frozen: {after[i].Name}");

            // The saved directory is a normal hierarchy whose macro level matches the level-0 encoder it holds.
            using var loaded = TrainedHierarchy.Load(dir);
            Assert.That(loaded.TimeScales(), Is.EqualTo(new[] { 1, 4 }));
            var saved = loaded.Level0.ToTensors();
            for (int i = 0; i < before.Count; i++) Assert.That(saved[i].Data, Is.EqualTo(before[i]), saved[i].Name);
            Assert.Throws<ArgumentOutOfRangeException>(() => HierarchyTrainer.TrainUpperLevels(trained.Level0, data, 1, options));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void TimeScalesMustFitTheEpisodesAndIncrease()
    {
        var data = SyntheticPointMass.States(4, 6, seed: 0);
        var e = Assert.Throws<ArgumentException>(() => HierarchyTrainer.Train(data, 3, Tiny()));
        Assert.That(e!.ParamName, Is.EqualTo("data"));
        Assert.That(e.Message, Does.Contain("8"), "names level 2's time-scale");
        Assert.That(new HierarchyTrainingOptions().TimeScalesFor(3), Is.EqualTo(new[] { 1, 8, 32 }));
        Assert.Throws<ArgumentException>(() => (Tiny() with { TimeScales = [8, 8] }).TimeScalesFor(3));
        Assert.Throws<ArgumentException>(() => (Tiny() with { TimeScales = [8] }).TimeScalesFor(3));
    }

    private sealed class Both(List<LevelProgress> reports, HierarchyProgressBar bar) : IProgress<LevelProgress>
    {
        public void Report(LevelProgress value)
        {
            reports.Add(value);
            bar.Report(value);
        }
    }
}
