using System.Globalization;
using System.Reflection;
using Planner.Cli.Evaluation;
using Planner.Cli.Infrastructure;
using Planner.Data;
using Planner.Environments.Collection;
using Planner.Environments.Mazes;
using Planner.Torch.Training;

namespace Planner.Cli.Commands;

/// <summary>
/// <c>planner demo</c>: the whole loop on an embedded maze: a world model learned from reward-free data (the small
/// checkpoint the project trained and ships, or trained now with <c>--retrain</c>), goal-reaching by planning through
/// it, a success table per distance bin and a plot.
/// </summary>
internal static class DemoCommand
{
    public const string Help = """
        planner demo: learn (or load the shipped) world model of the two-rooms maze, plan with it, report and plot

        options:
          --out DIR (planner-demo)   where the model, data and plot go
          --retrain                  collect data and train now (about a minute on 2 cores) instead of using the shipped model
          --episodes E (40)  --seed S (0)  --backend managed|torch (managed)
        """;

    private const string ResourcePrefix = "demo/";

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("demo", args, ["out", "episodes", "seed", "backend"], ["retrain"]);
        string outDir = a.String("out", "planner-demo");
        int episodes = a.Int("episodes", 40, 1, 100_000);
        int seed = a.Int("seed", 0);
        string backend = a.Choice("backend", "managed", new Dictionary<string, string> { ["managed"] = "managed", ["torch"] = "torch" });
        Directory.CreateDirectory(outDir);
        var layout = BuiltInLayouts.Get("two-rooms");
        string modelDir = Path.Combine(outDir, "model");

        stdout.WriteLine($"planner demo: {layout}, a point mass with acceleration actions in [-1, 1]^2 (# wall, . free):");
        stdout.WriteLine(layout.ToText().TrimEnd());
        if (a.Has("retrain") || !ExtractShippedModel(modelDir))
        {
            stdout.WriteLine(a.Has("retrain") ? "1/3 collecting reward-free data and training a world model (--retrain)" : "1/3 no shipped model in this build: training one");
            var data = DataCollector.Collect(layout, new CollectOptions { Episodes = 200, Steps = 64, Seed = (ulong)seed + 1 }, new ProgressLine("collect"));
            TrajectoryDatasetFile.Save(data, Path.Combine(outDir, "data.npz"));
            var bar = new TrainingProgressBar();
            using var trained = JepaTrainer.Train(data, new JepaOptions { Seed = seed, Threads = 1, MaxDuration = TimeSpan.FromMinutes(4) }, bar);
            bar.Finish();
            trained.Save(modelDir);
        }
        else
        {
            stdout.WriteLine($"1/3 using the shipped world model (trained by 'planner train' on two-rooms data; --retrain to train your own) -> {modelDir}");
        }

        stdout.WriteLine($"2/3 planning: {episodes} goal-reaching episodes, flat MPC (gradient planner through the learned model, {backend} backend)");
        using var models = WorldModelStack.Open(modelDir, backend, threads: 1);
        var agent = new AgentSettings { Backend = backend, Levels = [new LevelSettings(Planning.PlannerKind.Gradient, 16, 24, 20)], Seed = seed };
        var bar2 = new ProgressLine("plan");
        var results = MazeEvaluator.Run(layout, models, agent, new EvaluationSettings { Episodes = episodes, Seed = seed, MaxSteps = 200 },
            new Progress<(int Done, int Total, double SuccessRate)>(p => bar2.Report((double)p.Done / p.Total, string.Create(CultureInfo.InvariantCulture, $"success {p.SuccessRate:P0}"))));
        var report = EvaluationReport.From("flat", results, EvalCommand.ParseBins("1-3,4-7,8-999"));
        report.Print(stdout);

        string plot = Path.Combine(outDir, "demo.png");
        EvaluationPlot.Save(plot, layout, results, models);
        stdout.WriteLine($"3/3 plot of the first episodes -> {plot}");
        return 0;
    }

    /// <summary>Writes the checkpoint embedded in this assembly (if any) to <paramref name="directory"/>.</summary>
    private static bool ExtractShippedModel(string directory)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).ToArray();
        if (names.Length == 0) return false;
        Directory.CreateDirectory(directory);
        foreach (string name in names)
        {
            string relative = name[ResourcePrefix.Length..];
            string target = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var source = assembly.GetManifestResourceStream(name)!;
            using var file = File.Create(target);
            source.CopyTo(file);
        }
        return true;
    }
}
