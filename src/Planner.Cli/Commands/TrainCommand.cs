using System.Globalization;
using Planner.Checkpoints;
using Planner.Cli.Infrastructure;
using Planner.Data;
using Planner.Torch.Training;
using Planner.Torch.Training.Hierarchy;

namespace Planner.Cli.Commands;

/// <summary><c>planner train</c>: learns a world model (JEPA: encoder + latent predictor) from a dataset.</summary>
internal static class TrainCommand
{
    public const string Help = """
        planner train: learn a world model from reward-free data (encoder + latent predictor, JEPA with VICReg)

        options:
          --data FILE.npz   dataset from 'planner collect' (required)
          --out DIR         checkpoint directory (model.safetensors + model.json) (required)
          --latent Z (16)  --epochs N (200)  --patience P (20)  --batch-size B (64)  --lr X (0.002)
          --encoder-hidden H,H (64,64)  --predictor-hidden H,H (64,64)   hidden layers of the level-0 encoder and predictor
          --prediction-steps K (16)  --max-minutes M (none, per level)  --seed S (0)  --threads T (1; libtorch threads: more was slower on 2 shared cores)
          --levels L (1)    L >= 2 also trains the upper levels of a hierarchy: latent macro-action encoders and
                            macro-level predictors over the frozen level-0 encoder (time-scales 8, 32, ...)
          --tau T (8)  --macro-dim M (4)   first upper level's time-scale and macro-action size
          --macro-hidden H,H (128,128)   hidden layers of the upper levels' predictors
          --macro-steps K (4)   macro steps of the upper levels' multi-step prediction loss
          --macro-noise X (0)   noise on the macro-actions while training (keeps planned ones in the data's support)
          --macro-imagined F (0)  fraction of each batch made of imagined windows: a start from the data with the
                    action chunks of another window, the targets rolled out by the level-0 model (walls seen from
                    everywhere along them, not only where the robot happened to push)
          --macro-lr X (0.001)  --macro-patience P (15)  --macro-windows N (4096: training windows per epoch)
          --macro-ensemble K (1)  predictors per upper level over one macro-action encoder; planning scores a
                            macro plan under all K, so it cannot exploit one model's errors (eval --ensemble-disagreement)
          --base DIR            train only the upper levels, over the level-0 model in DIR (copied into --out, with
                            its landmark graph if it has one)
          --landmarks K (0: none)  afterwards, build the landmark graph of K landmarks from the same data (as
                            'planner landmarks --count K'), for 'eval --landmarks'
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("train", args,
            ["data", "out", "latent", "encoder-hidden", "predictor-hidden", "epochs", "patience", "batch-size", "lr", "prediction-steps", "max-minutes", "seed", "threads", "levels", "tau", "macro-dim", "macro-steps", "macro-noise", "macro-imagined", "macro-hidden", "macro-lr", "macro-patience", "macro-windows", "macro-ensemble", "base", "landmarks"], []);
        string dataPath = a.Required("data");
        string output = a.Required("out");
        if (!File.Exists(dataPath)) throw new UsageException($"planner train: data file '{dataPath}' does not exist; make one with 'planner collect'.");
        int levels = a.Int("levels", 1, 1, 8);
        int landmarks = a.Int("landmarks", 0, 0, Landmarks.LandmarkGraphOptions.MaxCount);
        if (landmarks == 1) throw new UsageException("planner train: --landmarks 1 makes no graph; expected 0 (none) or at least 2.");
        var data = TrajectoryDatasetFile.Load(dataPath);
        if (landmarks > data.Episodes * (data.Steps + 1)) // checked before hours of training, not after
            throw new UsageException($"planner train: --landmarks {landmarks} is more than the data's {data.Episodes * (data.Steps + 1)} latents.");
        // Flags override the trainer's own defaults (measured in src/Planner.Torch/Training/README.md) only when given.
        var d = new JepaOptions();
        var options = d with
        {
            LatentDim = a.Int("latent", d.LatentDim, 1, 4096),
            EncoderHidden = a.Sizes("encoder-hidden", d.EncoderHidden),
            PredictorHidden = a.Sizes("predictor-hidden", d.PredictorHidden),
            Epochs = a.Int("epochs", d.Epochs, 1, 1_000_000),
            Patience = a.Int("patience", d.Patience, 1, 1_000_000),
            BatchSize = a.Int("batch-size", d.BatchSize, 1, 1 << 20),
            LearningRate = a.Double("lr", d.LearningRate, 0, exclusiveMin: true),
            PredictionSteps = a.Int("prediction-steps", d.PredictionSteps, 1, 10_000),
            MaxDuration = a.Has("max-minutes") ? TimeSpan.FromMinutes(a.Double("max-minutes", 1, 0, exclusiveMin: true)) : null,
            Seed = a.Int("seed", 0),
            Threads = a.Int("threads", 1, 1, 1024),
        };
        if (levels > 1)
        {
            TimeSpan? limit = options.MaxDuration;
            var m = new MacroLevelOptions();
            var hierarchyOptions = new HierarchyTrainingOptions
            {
                Level0 = options,
                FirstTimeScale = a.Int("tau", 8, 2, 4096),
                Macro = new MacroLevelOptions
                {
                    MacroActionDim = a.Int("macro-dim", 4, 1, 1024), Seed = options.Seed, Threads = options.Threads, MaxDuration = limit,
                    Epochs = a.Has("epochs") ? options.Epochs : m.Epochs,
                    RolloutSteps = a.Int("macro-steps", m.RolloutSteps, 1, 10_000),
                    MacroNoise = a.Double("macro-noise", m.MacroNoise, 0, 10),
                    ImaginedFraction = a.Double("macro-imagined", m.ImaginedFraction, 0, 1),
                    PredictorHidden = a.Sizes("macro-hidden", m.PredictorHidden),
                    LearningRate = a.Double("macro-lr", m.LearningRate, 0, exclusiveMin: true),
                    Patience = a.Int("macro-patience", m.Patience, 0, 1_000_000),
                    WindowsPerEpoch = a.Int("macro-windows", m.WindowsPerEpoch, 0, int.MaxValue),
                    EnsembleSize = a.Int("macro-ensemble", m.EnsembleSize, 1, 64),
                },
            };
            var levelBar = new HierarchyProgressBar();
            using var hierarchy = a.Has("base")
                ? HierarchyTrainer.TrainUpperLevels(LoadBase(a.Required("base"), output), data, levels, hierarchyOptions, levelBar, output)
                : HierarchyTrainer.Train(data, levels, hierarchyOptions, levelBar, output);
            levelBar.Finish();
            stdout.WriteLine($"wrote {output}: {hierarchy.Levels} levels, time-scales {string.Join(", ", hierarchy.TimeScales())}");
            if (a.String("base") is { } baseDir && landmarks == 0 && File.Exists(Path.Combine(baseDir, LandmarkGraphFile.FileName)))
                File.Copy(Path.Combine(baseDir, LandmarkGraphFile.FileName), Path.Combine(output, LandmarkGraphFile.FileName), overwrite: true); // same encoder
            BuildLandmarks(output, data, landmarks, stdout, stderr);
            return 0;
        }
        if (a.Has("base")) throw new UsageException("planner train: --base trains upper levels only; it needs --levels 2 or more.");
        var bar = new TrainingProgressBar();
        using var model = JepaTrainer.Train(data, options, bar);
        bar.Finish();
        model.Save(output);
        var s = model.Summary;
        stdout.WriteLine(s is null
            ? $"wrote {output}"
            : string.Create(CultureInfo.InvariantCulture, $"wrote {output}: {s.Epochs} epochs ({s.StopReason}), best epoch {s.BestEpoch}, validation error {s.BestValidationError:F4} (k-step error / no-change baseline), {s.Seconds:F0} s"));
        BuildLandmarks(output, data, landmarks, stdout, stderr);
        return 0;
    }

    private static void BuildLandmarks(string output, TrajectoryDataset data, int count, TextWriter stdout, TextWriter stderr)
    {
        if (count == 0) return;
        int rows = data.Episodes * (data.Steps + 1);
        var options = new Landmarks.LandmarkGraphOptions { Count = count, Candidates = Math.Max(count, Math.Min(rows, new Landmarks.LandmarkGraphOptions().Candidates)) };
        LandmarksCommand.BuildAndSave(output, data, options, stdout, stderr);
    }

    private static TrainedWorldModel LoadBase(string directory, string output)
    {
        if (!Directory.Exists(directory)) throw new UsageException($"planner train: --base '{directory}' does not exist; train a level-0 model there first.");
        if (Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar))
            throw new UsageException("planner train: --base and --out must be different directories (the base model is copied into --out).");
        return TrainedWorldModel.Load(directory);
    }
}
