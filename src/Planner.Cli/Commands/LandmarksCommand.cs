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
        With positions in the data (maze collections), also reports the graph's errors: edges that join places farther
        apart along the free cells than in a straight line (shortcuts through walls), and cells whose latent at rest
        (a goal there) is nearest to a landmark from such a place.
          --distances-to COL,ROW   also print, for every free cell at rest, its distance to that cell along the
                                   graph / straight (a map of what the planner's cost sees)
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("landmarks", args, ["model", "data", "count", "candidates", "min-transitions", "seed", "distances-to"], []);
        string modelDir = a.Required("model"), dataPath = a.Required("data");
        if (!File.Exists(dataPath)) throw new UsageException($"planner landmarks: data file '{dataPath}' does not exist.");
        var options = new LandmarkGraphOptions
        {
            Count = a.Int("count", new LandmarkGraphOptions().Count, 2, LandmarkGraphOptions.MaxCount), Candidates = a.Int("candidates", 40_000, 2),
            MinTransitions = a.Int("min-transitions", 2, 1), Seed = a.Int("seed", 0, 0),
        };
        if (options.Candidates < options.Count) throw new UsageException($"planner landmarks: --candidates {options.Candidates} is below --count {options.Count}; expected at least as many candidates as landmarks.");
        CellIndex? distancesTo = null;
        if (a.String("distances-to") is { } cell)
        {
            var parts = cell.Split(',');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int column) || !int.TryParse(parts[1], out int row))
                throw new UsageException($"planner landmarks: --distances-to expects COLUMN,ROW (e.g. 4,13), got '{cell}'.");
            distancesTo = new CellIndex(column, row);
        }
        var data = TrajectoryDatasetFile.Load(dataPath);
        if (distancesTo is { } target)
        {
            if (data.PositionDim < 2 || !data.Metadata.ContainsKey("environment"))
                throw new UsageException("planner landmarks: --distances-to needs maze data (from 'planner collect'), which record the layout.");
            var layout = CollectedEnvironment.FromMetadata(data.Metadata).Layout;
            if (!layout.IsFree(target)) throw new UsageException($"planner landmarks: --distances-to {target.Column},{target.Row} is not a free cell of {layout.Name}.");
        }
        BuildAndSave(modelDir, data, options, stdout, stderr, distancesTo);
        return 0;
    }

    /// <summary>Builds the graph of the model in <paramref name="modelDir"/> from <paramref name="data"/> and writes it there (also for 'train --landmarks').</summary>
    internal static void BuildAndSave(string modelDir, TrajectoryDataset data, LandmarkGraphOptions options, TextWriter stdout, TextWriter stderr, CellIndex? distancesTo = null)
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
        if (data.PositionDim >= 2 && data.Metadata.ContainsKey("environment")) ReportErrors(graph, data, model, distancesTo, stdout);
    }

    /// <summary>
    /// The graph's two errors, from the data's true positions: edges whose landmarks' cells are farther apart along the
    /// free cells than by Manhattan distance + 1 (shortcuts through walls), and free cells whose latent at rest (a goal
    /// there) is nearest to a landmark taken from such a cell (a goal placed on the wrong side of a wall).
    /// </summary>
    private static void ReportErrors(LandmarkGraph graph, TrajectoryDataset data, WorldModelStack model, CellIndex? distancesTo, TextWriter stdout)
    {
        var collected = CollectedEnvironment.FromMetadata(data.Metadata);
        var layout = collected.Layout;
        var cells = new CellIndex[graph.Count];
        for (int i = 0; i < graph.Count; i++)
        {
            int row = graph.SourceRows![i];
            cells[i] = CellIndex.Containing(data.Positions[row * data.PositionDim], data.Positions[row * data.PositionDim + 1]);
        }
        // Two free cells farther apart along the free cells than by Manhattan distance + 1: a wall lies between them.
        bool ThroughWall(CellIndex p, CellIndex q) =>
            layout.IsFree(p) && layout.IsFree(q) && layout.GeodesicDistance(p, q) > Math.Abs(p.Column - q.Column) + Math.Abs(p.Row - q.Row) + 1;
        var shortcuts = new List<string>();
        var edges = graph.Edges();
        foreach (var (from, to) in edges)
            if (ThroughWall(cells[from], cells[to])) shortcuts.Add($"{cells[from]} - {cells[to]}");
        stdout.WriteLine($"edges through walls (landmarks' cells farther apart along free cells than Manhattan + 1): {shortcuts.Count} of {edges.Count} ({100.0 * shortcuts.Count / Math.Max(1, edges.Count):F1} %)");
        if (shortcuts.Count > 0) stdout.WriteLine("  " + string.Join(", ", shortcuts.Take(12)) + (shortcuts.Count > 12 ? ", ..." : ""));

        var env = new Environments.MazeEnvironment(layout, collected.Physics, collected.Observation, collected.ImageSize);
        var observation = new float[env.Observer.Dim];
        var latent = new float[model.LatentDim];
        // The latent of a robot at rest in the centre of a cell: what a goal there encodes to.
        void EncodeAtRest(CellIndex cell, float[] into)
        {
            var (x, y) = cell.Center;
            env.Observer.Observe([x, y, 0, 0], observation);
            model.Encoder.Encode(observation, into, 1);
        }
        var misplaced = new List<string>();
        foreach (var cell in layout.FreeCells)
        {
            EncodeAtRest(cell, latent);
            var source = cells[graph.Nearest(latent, out _)];
            if (ThroughWall(cell, source)) misplaced.Add($"{cell} -> {source}");
        }
        if (distancesTo is { } goalCell)
        {
            stdout.WriteLine($"distance from each free cell (at rest) to {goalCell}: along the graph / straight (latent L2)");
            var goalLatent = new float[model.LatentDim];
            EncodeAtRest(goalCell, goalLatent);
            for (int r = 0; r < layout.Height; r++)
            {
                var line = new System.Text.StringBuilder();
                for (int c = 0; c < layout.Width; c++)
                {
                    if (!layout.IsFree(new CellIndex(c, r))) { line.Append("     ##    "); continue; }
                    EncodeAtRest(new CellIndex(c, r), latent);
                    float straight = System.Numerics.Tensors.TensorPrimitives.Distance(latent, goalLatent);
                    line.Append(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{graph.Distance(latent, goalLatent, graph.DisconnectedPenalty),5:F1}/{straight,4:F1} "));
                }
                stdout.WriteLine(line.ToString().TrimEnd());
            }
        }
        stdout.WriteLine($"goals placed behind a wall (a free cell's latent at rest nearest to a landmark from a cell farther along the free cells than Manhattan + 1): {misplaced.Count} of {layout.FreeCells.Count}");
        if (misplaced.Count > 0) stdout.WriteLine("  " + string.Join(", ", misplaced.Take(12)) + (misplaced.Count > 12 ? ", ..." : ""));
    }
}
