using TorchSharp;
using Planner.Checkpoints;
using Planner.Models;
using Planner.Tests.Training;
using Planner.Torch.Training;
using Planner.Torch.Training.Hierarchy;

namespace Planner.Tests.HierarchyTraining;

public class MacroActionTrainerTests
{
    private static TrainedWorldModel s_level0 = null!;
    private static TrainedWorldModel s_otherLevel0 = null!;

    /// <summary>Level 0 is trained once for the fixture (a few seconds); every test trains macro levels over it.</summary>
    [OneTimeSetUp]
    public static void TrainLevel0()
    {
        var data = SyntheticPointMass.States(40, 32, seed: 1);
        var options = new JepaOptions
        {
            LatentDim = 8, EncoderHidden = [32], PredictorHidden = [32], PredictionSteps = 4, ChunkSteps = 8,
            BatchSize = 16, Epochs = 8, Patience = 0, LearningRate = 3e-3, Seed = 0, Threads = 1,
        };
        s_level0 = JepaTrainer.Train(data, options);
        s_otherLevel0 = JepaTrainer.Train(data, options with { Epochs = 1, Seed = 5 });
    }

    [OneTimeTearDown]
    public static void DisposeLevel0()
    {
        s_level0.Dispose();
        s_otherLevel0.Dispose();
    }

    internal static MacroLevelOptions Small(int seed = 0) => new()
    {
        TimeScale = 4,
        MacroActionDim = 3,
        EncoderHidden = [32],
        PredictorHidden = [64],
        RolloutSteps = 3,
        BatchSize = 64,
        Epochs = 15,
        WindowsPerEpoch = 0,
        Patience = 0,
        LearningRate = 3e-3,
        Seed = seed,
        Threads = 1,
    };

    [Test]
    public void ShortRunLowersTheErrorBeatsNoChangeAndUsesTheMacroSpace()
    {
        var data = SyntheticPointMass.States(40, 32, seed: 1);
        var epochs = new List<TrainingProgress>();
        using var level = MacroActionTrainer.Train(s_level0, data, Small(), new EpochLog(epochs));
        TestContext.Out.WriteLine(TrainingProgressBar.Format(epochs[0]));
        TestContext.Out.WriteLine(TrainingProgressBar.Format(epochs[^1]));

        Assert.That(epochs, Has.Count.EqualTo(15));
        Assert.That(epochs[^1].Terms.Prediction, Is.LessThan(0.5 * epochs[0].Terms.Prediction), "the macro prediction loss should fall");
        Assert.That(level.Summary!.BestValidationError, Is.LessThan(epochs[0].ValidationError));

        var report = MacroLevelEvaluation.Evaluate(s_level0, level, SyntheticPointMass.States(20, 32, seed: 2), macroSteps: 3);
        TestContext.Out.WriteLine(report);
        Assert.That(report.Prediction, Has.Count.EqualTo(3));
        foreach (var p in report.Prediction)
            Assert.That(p.Ratio, Is.LessThan(0.5), $"held-out error after {p.Horizon} macro steps should clearly beat 'nothing moves': {report}");
        Assert.That(report.MacroStd, Has.All.GreaterThan(0.05f), "every macro dimension should vary over the data: " + report);
        Assert.That(report.SaturatedFraction, Is.LessThan(0.5), "macro-actions should not sit at the box edges: " + report);
    }

    [Test]
    public void MacroActionsStayInTheUnitBoxForAnyChunk()
    {
        var data = SyntheticPointMass.States(8, 16, seed: 3);
        using var level = MacroActionTrainer.Train(s_level0, data, Small() with { Epochs = 2 });
        int rows = 64, chunk = level.ChunkDim;
        var rng = new Planner.Numerics.DeterministicRandom(9);
        var chunks = new float[rows * chunk];
        // First half: actions in the data's range [-1, 1]; second half: absurdly large chunks.
        for (int i = 0; i < chunks.Length; i++) chunks[i] = i < chunks.Length / 2 ? rng.NextFloat(-1, 1) : rng.NextFloat(-1000, 1000);
        var macro = new float[rows * level.MacroActionDim];
        level.EncodeMacroActions(chunks, rows, macro);
        Assert.That(macro, Has.All.InRange(-1f, 1f));
        var inRange = macro.AsSpan(0, macro.Length / 2).ToArray();
        Assert.That(inRange.Distinct().Count(), Is.EqualTo(inRange.Length), "in-range chunks map to distinct, unsaturated values");
        Assert.That(inRange, Has.All.InRange(-0.999f, 0.999f));
        Assert.Throws<ArgumentException>(() => level.EncodeMacroActions(chunks.AsSpan(1), rows, macro));
    }

    [Test]
    public void SameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        var data = SyntheticPointMass.States(12, 16, seed: 4);
        var options = Small(seed: 7) with { Epochs = 2 };
        using var a = MacroActionTrainer.Train(s_level0, data, options);
        using var b = MacroActionTrainer.Train(s_level0, data, options);
        using var c = MacroActionTrainer.Train(s_level0, data, options with { Seed = 8 });
        var ta = a.ToTensors();
        var tb = b.ToTensors();
        Assert.That(tb, Has.Count.EqualTo(ta.Count));
        for (int i = 0; i < ta.Count; i++) Assert.That(tb[i].Data, Is.EqualTo(ta[i].Data), ta[i].Name);
        Assert.That(c.ToTensors()[0].Data, Is.Not.EqualTo(ta[0].Data));
        Assert.That(a.Summary!.BestValidationError, Is.EqualTo(b.Summary!.BestValidationError));
    }

    /// <summary>
    /// Imagined windows: the first round(B x F) windows of a batch get another window's chunks and level 0's rollout
    /// of them from their own start; the rest of the batch is untouched.
    /// </summary>
    [Test]
    public void ImaginedWindowsAreLevel0RolloutsOfAnotherWindowsChunks()
    {
        const int B = 8, K = 2, Tau = 4;
        int s = s_level0.LatentDim, a = s_level0.ActionDim;
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var latents = torch.randn(B, K + 1, s);
        var chunks = torch.rand(B, K, Tau * a) * 2 - 1;
        var (mixedZ, mixedChunks) = ImaginedWindows.Mix(s_level0.Predictor, latents, chunks, 0.5);

        Assert.That(mixedZ.shape, Is.EqualTo(latents.shape));
        Assert.That(mixedChunks.shape, Is.EqualTo(chunks.shape));
        for (int i = 4; i < B; i++)
        {
            Assert.That(mixedZ[i].data<float>().ToArray(), Is.EqualTo(latents[i].data<float>().ToArray()), $"window {i} is real");
            Assert.That(mixedChunks[i].data<float>().ToArray(), Is.EqualTo(chunks[i].data<float>().ToArray()));
        }
        var rows = Enumerable.Range(0, B).Select(i => chunks[i].data<float>().ToArray()).ToList();
        for (int i = 0; i < 4; i++)
        {
            var chunk = mixedChunks[i].data<float>().ToArray();
            Assert.That(rows.Any(r => r.SequenceEqual(chunk)), Is.True, $"window {i}'s chunks are some window's chunks");
            Assert.That(mixedZ[i][0].data<float>().ToArray(), Is.EqualTo(latents[i][0].data<float>().ToArray()), "its own start");
            // Level 0 one base step at a time, through the chunks.
            var z = latents[i][0].data<float>().ToArray();
            var next = new float[s];
            for (int j = 0; j < K; j++)
            {
                for (int t = 0; t < Tau; t++)
                {
                    s_level0.Predict(z, chunk.AsSpan((j * Tau + t) * a, a), 1, next);
                    next.CopyTo(z, 0);
                }
                Assert.That(mixedZ[i][j + 1].data<float>().ToArray(), Is.EqualTo(z).Within(1e-4f), $"window {i}, macro step {j + 1}");
            }
        }
        var (same, sameChunks) = ImaginedWindows.Mix(s_level0.Predictor, latents, chunks, 0);
        Assert.That(ReferenceEquals(same, latents) && ReferenceEquals(sameChunks, chunks), Is.True, "fraction 0: the batch itself");
    }

    /// <summary>
    /// Options that change what a level sees while training (noise on the macro-actions, imagined windows): the same
    /// seed gives the same weights, the option changes them, it is recorded in the checkpoint, and out-of-range values
    /// are refused. Validation stays a plain prediction error on real windows.
    /// </summary>
    [TestCase(nameof(MacroLevelOptions.MacroNoise), 0.3, -0.1)]
    [TestCase(nameof(MacroLevelOptions.ImaginedFraction), 0.5, 1.5)]
    public void TrainingOptionIsReproducibleChangesTrainingAndIsValidated(string option, double value, double invalid)
    {
        MacroLevelOptions With(MacroLevelOptions o, double x) => option == nameof(MacroLevelOptions.MacroNoise) ? o with { MacroNoise = x } : o with { ImaginedFraction = x };
        var data = SyntheticPointMass.States(12, 16, seed: 4);
        var options = Small(seed: 3) with { Epochs = 2 };
        using var plain = MacroActionTrainer.Train(s_level0, data, options);
        using var changed = MacroActionTrainer.Train(s_level0, data, With(options, value));
        using var again = MacroActionTrainer.Train(s_level0, data, With(options, value));
        var tp = plain.ToTensors();
        var tc = changed.ToTensors();
        var ta = again.ToTensors();
        for (int i = 0; i < tc.Count; i++) Assert.That(ta[i].Data, Is.EqualTo(tc[i].Data), $"same seed, same {option}: {tc[i].Name}");
        Assert.That(tc.Select(t => t.Data).Zip(tp.Select(t => t.Data)).Any(p => !p.First.SequenceEqual(p.Second)), Is.True,
            $"{option} changes what is learned");
        string key = char.ToLowerInvariant(option[0]) + option[1..];
        Assert.That(changed.Metadata.Training![key]!.GetValue<double>(), Is.EqualTo(value), "recorded in the checkpoint");
        Assert.That(changed.Summary!.BestValidationError, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => With(options, invalid).Validate());
        Assert.That(e!.ParamName, Is.EqualTo(option));
    }

    [Test]
    public void CheckpointRoundTripIsBitExactAndTheManagedBackendComputesTheSamePredictor()
    {
        var data = SyntheticPointMass.States(8, 16, seed: 5);
        using var level = MacroActionTrainer.Train(s_level0, data, Small() with { Epochs = 2 });
        string dir = TempDir();
        try
        {
            level.Save(dir);
            Assert.That(File.Exists(Path.Combine(dir, LevelCheckpoint.WeightsFileName)));
            using var loaded = TrainedMacroLevel.Load(dir, s_level0);
            var before = level.ToTensors();
            var after = loaded.ToTensors();
            Assert.That(after.Select(t => t.Name), Is.EqualTo(before.Select(t => t.Name)));
            for (int i = 0; i < before.Count; i++)
            {
                Assert.That(after[i].Shape, Is.EqualTo(before[i].Shape));
                Assert.That(after[i].Data, Is.EqualTo(before[i].Data), before[i].Name);
            }
            Assert.That(loaded.TimeScale, Is.EqualTo(4));
            Assert.That(loaded.MacroActionDim, Is.EqualTo(3));
            Assert.That(loaded.Metadata.BaseEncoderSha256, Is.EqualTo(TrainedMacroLevel.BaseFingerprint(s_level0)));

            // Managed CPU planning at this level: the checkpoint's predictor as a Core ResidualMlp, without libtorch.
            var checkpoint = LevelCheckpoint.Load(dir);
            var managed = new ResidualMlp(checkpoint.Metadata.LatentDim, checkpoint.Metadata.MacroActionDim, checkpoint.PredictorMlp());
            int rows = 5, s = loaded.LatentDim, m = loaded.MacroActionDim;
            var rng = new Planner.Numerics.DeterministicRandom(3);
            var z = new float[rows * s];
            var macro = new float[rows * m];
            for (int i = 0; i < z.Length; i++) z[i] = rng.NextFloat(-2, 2);
            for (int i = 0; i < macro.Length; i++) macro[i] = rng.NextFloat(-1, 1);
            var torchNext = new float[rows * s];
            var managedNext = new float[rows * s];
            loaded.Predict(z, macro, rows, torchNext);
            managed.Forward(z, macro, managedNext, default, rows);
            for (int i = 0; i < torchNext.Length; i++)
                Assert.That(managedNext[i], Is.EqualTo(torchNext[i]).Within(1e-4f + 1e-4f * Math.Abs(torchNext[i])));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AnEnsembleTrainsKPredictorsOverOneEncoderAndRoundTrips()
    {
        var data = SyntheticPointMass.States(12, 16, seed: 4);
        using var level = MacroActionTrainer.Train(s_level0, data, Small(seed: 2) with { Epochs = 3, EnsembleSize = 3 });
        Assert.That(level.Predictors, Has.Count.EqualTo(3));
        Assert.That(level.Metadata.EnsembleSize, Is.EqualTo(3));
        Assert.That(level.Summary!.BestValidationError, Is.GreaterThan(0).And.LessThan(1.5));
        var w0 = level.Predictors[0].ToWeights().Layers[0].Weight;
        var w1 = level.Predictors[1].ToWeights().Layers[0].Weight;
        Assert.That(w1, Is.Not.EqualTo(w0), "members start from different weights");
        var names = level.ToTensors().Select(t => t.Name).ToList();
        Assert.That(names.Count(n => n.StartsWith(LevelCheckpoint.MacroEncoderPrefix, StringComparison.Ordinal)), Is.EqualTo(4), "one encoder (2 layers)");
        Assert.That(names, Has.Some.StartsWith("predictor2."));

        string dir = TempDir();
        try
        {
            level.Save(dir);
            using var loaded = TrainedMacroLevel.Load(dir, s_level0);
            Assert.That(loaded.Predictors, Has.Count.EqualTo(3));
            var before = level.ToTensors();
            var after = loaded.ToTensors();
            for (int i = 0; i < before.Count; i++) Assert.That(after[i].Data, Is.EqualTo(before[i].Data), before[i].Name);
            var checkpoint = LevelCheckpoint.Load(dir);
            Assert.That(checkpoint.PredictorMlp(2).Layers[0].Weight, Is.EqualTo(level.Predictors[2].ToWeights().Layers[0].Weight));
            Assert.Throws<ArgumentOutOfRangeException>(() => checkpoint.PredictorMlp(3));

            // A file that claims fewer members than it holds is rejected: every tensor must be expected.
            string json = Path.Combine(dir, LevelCheckpoint.MetadataFileName);
            File.WriteAllText(json, File.ReadAllText(json).Replace("\"ensembleSize\": 3", "\"ensembleSize\": 2", StringComparison.Ordinal));
            Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void VersionOneLevelFilesStillLoadAsOnePredictor()
    {
        var data = SyntheticPointMass.States(8, 16, seed: 5);
        using var level = MacroActionTrainer.Train(s_level0, data, Small() with { Epochs = 1 });
        string dir = TempDir();
        try
        {
            level.Save(dir);
            string json = Path.Combine(dir, LevelCheckpoint.MetadataFileName);
            string text = File.ReadAllText(json);
            Assert.That(text, Does.Contain("\"ensembleSize\": 1"));
            // What the previous build wrote: version 1, no ensembleSize.
            text = text.Replace("\"formatVersion\": 2", "\"formatVersion\": 1", StringComparison.Ordinal).Replace("\"ensembleSize\": 1,", "", StringComparison.Ordinal);
            File.WriteAllText(json, text);
            using var loaded = TrainedMacroLevel.Load(dir, s_level0);
            Assert.That(loaded.Predictors, Has.Count.EqualTo(1));
            Assert.That(loaded.Metadata.FormatVersion, Is.EqualTo(1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void CorruptOrMismatchedCheckpointsFailWithClearErrors()
    {
        var data = SyntheticPointMass.States(8, 16, seed: 6);
        using var level = MacroActionTrainer.Train(s_level0, data, Small() with { Epochs = 1 });
        string dir = TempDir();
        try
        {
            level.Save(dir);
            var e = Assert.Throws<CheckpointException>(() => TrainedMacroLevel.Load(dir, s_otherLevel0));
            Assert.That(e!.Message, Does.Contain("different one"), "another level-0 encoder means another latent space");

            string weights = Path.Combine(dir, LevelCheckpoint.WeightsFileName);
            var bytes = File.ReadAllBytes(weights);
            bytes[^3] ^= 0x40;
            File.WriteAllBytes(weights, bytes);
            e = Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));
            Assert.That(e!.Message, Does.Contain("SHA-256").And.Contain(LevelCheckpoint.WeightsFileName));

            File.WriteAllBytes(weights, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));

            string json = Path.Combine(dir, LevelCheckpoint.MetadataFileName);
            File.WriteAllText(json, File.ReadAllText(json).Replace("\"macroActionDim\": 3", "\"macroActionDim\": 5", StringComparison.Ordinal));
            e = Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));
            Assert.That(e!.Message, Does.Contain("macroActionDim"));

            File.WriteAllText(json, "{ not json");
            Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));
            File.Delete(json);
            e = Assert.Throws<CheckpointException>(() => LevelCheckpoint.Load(dir));
            Assert.That(e!.Message, Does.Contain("missing"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BadInputNamesTheProblem()
    {
        var data = SyntheticPointMass.States(4, 8, seed: 0);
        var e = Assert.Throws<ArgumentException>(() => MacroActionTrainer.Train(s_level0, data, Small() with { TimeScale = 9 }));
        Assert.That(e!.ParamName, Is.EqualTo("data"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => MacroActionTrainer.Train(s_level0, data, Small() with { MacroActionDim = 0 }));
        Assert.That(e2!.ParamName, Is.EqualTo("MacroActionDim"));
        var images = SyntheticPointMass.Images(4, 8, seed: 0, side: 16);
        Assert.Throws<ArgumentException>(() => MacroActionTrainer.Train(s_level0, images, Small()));
    }

    internal static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "planner-macro-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private sealed class EpochLog(List<TrainingProgress> epochs) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochDone && !value.Finished) epochs.Add(value);
        }
    }
}
