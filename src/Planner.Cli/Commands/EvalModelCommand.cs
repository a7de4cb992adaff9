using System.Text.Json;
using Planner.Cli.Infrastructure;
using Planner.Data;
using Planner.Environments.Collection;
using Planner.Environments.Rendering;
using Planner.Torch.Training;

namespace Planner.Cli.Commands;

/// <summary><c>planner eval-model</c>: how good is a learned world model (prediction, collapse, probe)?</summary>
internal static class EvalModelCommand
{
    public const string Help = """
        planner eval-model: k-step open-loop latent prediction error vs the predict-no-change baseline (k = 1, 4, 16),
        per-dimension embedding std (collapse check), and a linear probe from latent to position (R^2)

        options:
          --model DIR (required)  --data FILE.npz (required; use held-out episodes, e.g. another seed)  --json
          --plot FILE.png   predicted (open-loop, 16 steps, probe-decoded; dashed colours) vs true trajectories over the maze
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("eval-model", args, ["model", "data", "plot"], ["json"]);
        string modelDir = a.Required("model");
        string dataPath = a.Required("data");
        if (!Directory.Exists(modelDir)) throw new UsageException($"planner eval-model: model directory '{modelDir}' does not exist.");
        if (!File.Exists(dataPath)) throw new UsageException($"planner eval-model: data file '{dataPath}' does not exist.");
        using var model = TrainedWorldModel.Load(modelDir);
        var data = TrajectoryDatasetFile.Load(dataPath);
        var report = WorldModelEvaluation.Evaluate(model, data);
        if (a.String("plot") is { } plot) SavePlot(plot, model, data, report);
        if (a.Has("json"))
        {
            Json.WriteObject(stdout, w => Write(w, report));
        }
        else
        {
            stdout.WriteLine(report.ToString());
        }
        return 0;
    }

    /// <summary>True paths (solid) and the model's open-loop predictions from their first observation (thin, same colour).</summary>
    private static void SavePlot(string path, TrainedWorldModel model, TrajectoryDataset data, WorldModelReport report)
    {
        if (report.Probe is null) throw new UsageException("planner eval-model: --plot needs positions in the data file (a probe decodes the latents).");
        var layout = CollectedEnvironment.FromMetadata(data.Metadata).Layout;
        var plot = new MazePlot(layout, pixelsPerCell: Math.Clamp(640 / Math.Max(layout.Width, layout.Height), 8, 48));
        int steps = Math.Min(16, data.Steps);
        for (int e = 0; e < Math.Min(6, data.Episodes); e++)
        {
            var truth = data.Positions.AsSpan(e * (data.Steps + 1) * data.PositionDim, (steps + 1) * data.PositionDim);
            var colour = plot.DrawTrajectory(truth);
            plot.DrawStart(truth[0], truth[1]);
            var predicted = WorldModelEvaluation.OpenLoopPositions(model, data, report.Probe, e, 0, steps);
            plot.DrawTrajectory(predicted, colour, thickness: 1f);
            plot.DrawSubgoal(predicted[^2], predicted[^1], colour);
        }
        plot.DrawLabel("TRUE VS PREDICTED");
        plot.SavePng(path);
    }

    private static void Write(Utf8JsonWriter w, WorldModelReport report)
    {
        w.WriteNumber("episodes", report.Episodes);
        w.WritePropertyName("prediction");
        w.WriteStartArray();
        foreach (var p in report.Prediction)
        {
            w.WriteStartObject();
            w.WriteNumber("k", p.Horizon);
            w.Number("model_error", p.ModelError);
            w.Number("no_change_error", p.BaselineError);
            w.Number("ratio", p.Ratio);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("embedding_std");
        w.WriteStartArray();
        foreach (float s in report.EmbeddingStd) w.WriteNumberValue(Math.Round(s, 6));
        w.WriteEndArray();
        w.WriteNumber("collapsed_dimensions", report.CollapsedDimensions);
        w.Number("probe_r2", report.ProbeR2);
    }
}
