using System.Text.Json;
using Planner.Cli.Infrastructure;
using Planner.Data;
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
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("eval-model", args, ["model", "data"], ["json"]);
        string modelDir = a.Required("model");
        string dataPath = a.Required("data");
        if (!Directory.Exists(modelDir)) throw new UsageException($"planner eval-model: model directory '{modelDir}' does not exist.");
        if (!File.Exists(dataPath)) throw new UsageException($"planner eval-model: data file '{dataPath}' does not exist.");
        using var model = TrainedWorldModel.Load(modelDir);
        var data = TrajectoryDatasetFile.Load(dataPath);
        var report = WorldModelEvaluation.Evaluate(model, data);
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
