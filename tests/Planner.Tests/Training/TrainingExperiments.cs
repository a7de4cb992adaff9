using Planner.Data;
using Planner.Torch.Training;

namespace Planner.Tests.Training;

/// <summary>
/// Full-size training runs that measure the numbers reported for issue 3 (minutes, not seconds): run explicitly, e.g.
/// <c>dotnet test --filter "FullyQualifiedName~TrainingExperiments.SyntheticBoxStates"</c>.
/// </summary>
[Explicit("full-size training run (minutes); measures the reported numbers")]
[Category("Experiment")]
public class TrainingExperiments
{
    [TestCase(1)]
    [TestCase(2)]
    public void SyntheticBoxStates(int threads)
    {
        var train = SyntheticPointMass.States(200, 64, seed: 1);
        var test = SyntheticPointMass.States(50, 64, seed: 2);
        Run(train, test, new JepaOptions { Seed = 0, Threads = threads });
    }

    internal static WorldModelReport Run(TrajectoryDataset train, TrajectoryDataset test, JepaOptions options, string? saveTo = null)
    {
        var bar = new TrainingProgressBar(TestContext.Progress, interactive: false);
        using var model = JepaTrainer.Train(train, options, bar);
        var s = model.Summary!;
        TestContext.Out.WriteLine($"trained {s.Epochs} epochs in {s.Seconds:F1} s (best epoch {s.BestEpoch}, val {s.BestValidationError:F4}, {s.StopReason})");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = WorldModelEvaluation.Evaluate(model, test);
        TestContext.Out.WriteLine($"evaluated in {clock.Elapsed.TotalSeconds:F1} s");
        TestContext.Out.WriteLine(report.ToString());
        if (saveTo is not null) model.Save(saveTo);
        return report;
    }
}

[Explicit("timing of training variants")]
[Category("Experiment")]
public class TrainingTimingExperiments
{
    [TestCase(16, 16, 32)]
    [TestCase(16, 16, 64)]
    [TestCase(8, 16, 64)]
    [TestCase(8, 8, 128)]
    public void SecondsPerEpoch(int k, int chunk, int batch)
    {
        var train = SyntheticPointMass.States(200, 64, seed: 1);
        using var model = JepaTrainer.Train(train, new JepaOptions { PredictionSteps = k, ChunkSteps = chunk, BatchSize = batch, Epochs = 3, Patience = 0, Threads = 2 });
        TestContext.Out.WriteLine($"k={k} L={chunk} B={batch}: {model.Summary!.Seconds / 3:F2} s/epoch, val {model.Summary.BestValidationError:F4}");
    }
}
