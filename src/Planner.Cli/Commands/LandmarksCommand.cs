using Planner.Checkpoints;
using Planner.Cli.Evaluation;
using Planner.Cli.Infrastructure;
using Planner.Data;
using Planner.Environments.Collection;
using Planner.Environments.Mazes;
using Planner.Landmarks;

namespace Planner.Cli.Commands;

/// <summary><c>planner landmarks</c>: the landmark graph of a model's latent space, learned from the training data.</summary>
internal static class LandmarksCommand
{
    public const string Help = """
        planner landmarks: learn a landmark graph of a model's latent space from trajectories: landmarks cover the data's
        latents, two are joined where the data moved between them. 'eval --landmarks' then measures the upper levels'
        distance to their goal along it (around walls) instead of straight through latent space.

        options:
          --model DIR (required)   writes DIR/landmarks.json (tied to DIR's encoder)
          --data FILE.npz (required; the model's training data)
          --count K (3000)         landmarks   --candidates M (40000)  latents drawn to pick them from
          --min-transitions N (2)  crossings of the data needed to join two landmarks
          --seed S (0)
        With positions in the data (maze collections), also reports the edges that join places farther apart along the
        free cells than in a straight line (shortcuts through walls): the graph's error.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("landmarks", args, ["model", "data", "count", "candidates", "min-transitions", "seed"], []);
        string modelDir = a.Required("model"), dataPath = a.Required("data");
        if (!File.Exists(dataPath)) throw new UsageException($"planner landmarks: data file '{dataPath}' does not exist.");
        var options = new LandmarkGraphOptions
        {
            Count = a.Int("count", new LandmarkGraphOptions().Count, 2, 100_000), Candidates = a.Int("candidates", 40_000, 2),
            MinTransitions = a.Int("min-transitions", 2, 1), Seed = a.Int("seed", 0, 0),
        };
        if (options.Candidates < options.Count) throw new UsageException($"planner landmarks: --candidates {options.Candidates} is below --count {options.Count}; expected at least as many candidates as landmarks.");
        BuildAndSave(modelDir, TrajectoryDatasetFile.Load(dataPath), options, stdout, stderr);
        return 0;
    }

    /// <summary>Builds the graph of the model in <paramref name="modelDir"/> from <paramref name="data"/> and writes it there (also for 'train --landmarks').</summary>
    internal static void BuildAndSave(string modelDir, TrajectoryDataset data, LandmarkGraphOptions options, TextWriter stdout, TextWriter stderr)
    {
        using var model = WorldModelStack.Open(modelDir, "managed", threads: 1);
        if (data.ObservationDim != model.Encoder.ObservationDim)
            throw new UsageException($"planner landmarks: the data's observations have {data.ObservationDim} floats; the model in '{modelDir}' reads {model.Encoder.ObservationDim}.");
        int rows = data.Episodes * (data.Steps + 1);
        var latents = new float[(long)rows * model.LatentDim];
        model.Encoder.Encode(data.Observations, latents, rows);
        var graph = LandmarkGraph.Build(latents, data.Episodes, data.Steps, model.LatentDim, options, new ProgressLine("landmarks", stderr));
        LandmarkGraphFile.Save(graph, model.EncoderFingerprint, modelDir);
        stdout.WriteLine($"wrote {Path.Combine(modelDir, LandmarkGraphFile.FileName)}: {graph.Count} landmarks, {graph.EdgeCount} edges, largest connected part {graph.LargestComponent()} landmarks");
        if (data.PositionDim >= 2 && data.Metadata.ContainsKey("environment")) ReportShortcuts(graph, data, stdout);
    }

    /// <summary>Edges whose landmarks' true cells are farther apart along the free cells than by Manhattan distance + 1.</summary>
    private static void ReportShortcuts(LandmarkGraph graph, TrajectoryDataset data, TextWriter stdout)
    {
        var layout = CollectedEnvironment.FromMetadata(data.Metadata).Layout;
        var cells = new CellIndex[graph.Count];
        for (int i = 0; i < graph.Count; i++)
        {
            int row = graph.SourceRows![i];
            cells[i] = CellIndex.Containing(data.Positions[row * data.PositionDim], data.Positions[row * data.PositionDim + 1]);
        }
        var shortcuts = new List<string>();
        var edges = graph.Edges();
        foreach (var (from, to) in edges)
        {
            var (p, q) = (cells[from], cells[to]);
            int manhattan = Math.Abs(p.Column - q.Column) + Math.Abs(p.Row - q.Row);
            if (layout.IsFree(p) && layout.IsFree(q) && layout.GeodesicDistance(p, q) > manhattan + 1) shortcuts.Add($"{p} - {q}");
        }
        stdout.WriteLine($"edges through walls (landmarks' cells farther apart along free cells than Manhattan + 1): {shortcuts.Count} of {edges.Count} ({100.0 * shortcuts.Count / Math.Max(1, edges.Count):F1} %)");
        if (shortcuts.Count > 0) stdout.WriteLine("  " + string.Join(", ", shortcuts.Take(12)) + (shortcuts.Count > 12 ? ", ..." : ""));
    }
}
