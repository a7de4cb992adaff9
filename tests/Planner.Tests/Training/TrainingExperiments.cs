using Planner.Data;
using Planner.Environments.Collection;
using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Torch.Training;

namespace Planner.Tests.Training;

/// <summary>
/// Full-size training runs that measure the numbers reported for issue 3 (minutes, not seconds): run explicitly, e.g.
/// <c>dotnet test tests/Planner.Tests --no-build --filter "FullyQualifiedName~TrainingExperiments.TwoRoomsStates" --logger "console;verbosity=detailed"</c>.
/// Environment variables: <c>PLANNER_SAVE_MODEL</c> (checkpoint directory), <c>PLANNER_PIXEL_MINUTES</c> (time limit of the
/// pixel run, default 15), <c>PLANNER_PIXEL_EPISODES</c> (default 200).
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

    [TestCase(TargetEncoderMode.StopGradient)]
    [TestCase(TargetEncoderMode.Ema)]
    [TestCase(TargetEncoderMode.Shared)]
    public void TwoRoomsStates(TargetEncoderMode target)
    {
        var layout = BuiltInLayouts.Get("two-rooms");
        var train = DataCollector.Collect(layout, new CollectOptions { Episodes = 200, Steps = 64, Seed = 1, MaxParallelism = 1 });
        var test = DataCollector.Collect(layout, new CollectOptions { Episodes = 50, Steps = 64, Seed = 2, MaxParallelism = 1 });
        var report = Run(train, test, new JepaOptions { Seed = 0, Target = target }, Environment.GetEnvironmentVariable("PLANNER_SAVE_MODEL"));
        Assert.That(report.Prediction[^1].Ratio, Is.LessThanOrEqualTo(0.2));
        Assert.That(report.CollapsedDimensions, Is.Zero);
        Assert.That(report.ProbeR2, Is.GreaterThanOrEqualTo(0.95));
    }

    [TestCase(TargetEncoderMode.StopGradient)]
    [TestCase(TargetEncoderMode.Shared)]
    public void TwoRoomsPixels(TargetEncoderMode target)
    {
        var layout = BuiltInLayouts.Get("two-rooms");
        int episodes = int.Parse(Environment.GetEnvironmentVariable("PLANNER_PIXEL_EPISODES") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
        double minutes = double.Parse(Environment.GetEnvironmentVariable("PLANNER_PIXEL_MINUTES") ?? "15", System.Globalization.CultureInfo.InvariantCulture);
        var pixels = new CollectOptions { Episodes = episodes, Steps = 64, Seed = 1, Observation = ObservationKind.Pixels, MaxParallelism = 1 };
        var train = DataCollector.Collect(layout, pixels);
        var test = DataCollector.Collect(layout, pixels with { Episodes = 50, Seed = 2 });
        var report = Run(train, test, new JepaOptions { Seed = 0, Target = target, MaxDuration = TimeSpan.FromMinutes(minutes) }, Environment.GetEnvironmentVariable("PLANNER_SAVE_MODEL"));
        Assert.That(report.CollapsedDimensions, Is.Zero);
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
        if (report.Probe is not null)
        {
            // Open-loop drift over a whole test episode, decoded by the probe: mean distance to the true positions.
            var xy = WorldModelEvaluation.OpenLoopPositions(model, test, report.Probe, test.Episodes - 1, 0, 16);
            double drift = 0;
            for (int i = 0; i <= 16; i++)
            {
                int row = (test.Episodes - 1) * (test.Steps + 1) + i;
                drift += Math.Sqrt(Math.Pow(xy[i * 2] - test.Positions[row * 2], 2) + Math.Pow(xy[i * 2 + 1] - test.Positions[row * 2 + 1], 2)) / 17;
            }
            TestContext.Out.WriteLine($"open-loop 16-step rollout of the last test episode, probe-decoded: mean position error {drift:F3}");
        }
        return report;
    }
}

