using System.Globalization;
using System.Text;
using Planner.Data;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>What <see cref="MacroLevelEvaluation.Evaluate"/> measured.</summary>
/// <param name="Episodes">Episodes evaluated.</param>
/// <param name="TimeScale">tau of the level.</param>
/// <param name="Prediction">Per macro step j = 1..K (<see cref="PredictionError.Horizon"/> = j, i.e. j*tau base steps): open-loop squared L2 latent error vs predicting no change.</param>
/// <param name="MacroMean">Per-dimension mean of the encoded macro-actions of every chunk in the data.</param>
/// <param name="MacroStd">Per-dimension std of the encoded macro-actions (how much of [-1, 1] each dimension uses).</param>
/// <param name="SaturatedFraction">Fraction of macro-action values with |m| &gt; 0.95 (near the box edge; tanh saturated).</param>
/// <param name="Chunks">Chunks encoded for the macro-action statistics.</param>
public sealed record MacroLevelReport(int Episodes, int TimeScale, IReadOnlyList<PredictionError> Prediction, float[] MacroMean, float[] MacroStd,
    double SaturatedFraction, long Chunks)
{
    /// <summary>A few lines of plain text.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"episodes {Episodes}, tau {TimeScale}\n");
        foreach (var p in Prediction)
            sb.Append(inv, $"macro k={p.Horizon} ({p.Horizon * TimeScale} base steps): model {p.ModelError:G4}  no-change {p.BaselineError:G4}  ratio {p.Ratio:F4}  ({p.Starts} windows)\n");
        sb.Append(inv, $"macro-actions ({Chunks} chunks): mean [{Join(MacroMean)}] std [{Join(MacroStd)}] saturated(|m|>0.95) {SaturatedFraction:P1}");
        return sb.ToString();

        string Join(float[] v) => string.Join(", ", Array.ConvertAll(v, x => x.ToString("F3", inv)));
    }
}

/// <summary>
/// Measures a trained macro level on (held-out) episodes: open-loop latent prediction error after 1..K macro steps
/// (with the encoded macro-actions of the real action chunks) against the no-change baseline, and whether the
/// macro-action space is used (per-dimension spread, saturation).
/// </summary>
public static class MacroLevelEvaluation
{
    /// <summary>Evaluates <paramref name="level"/> over <paramref name="level0"/>'s latents on <paramref name="data"/>, up to <paramref name="macroSteps"/> macro steps (clamped to T / tau).</summary>
    public static MacroLevelReport Evaluate(TrainedWorldModel level0, TrainedMacroLevel level, TrajectoryDataset data, int macroSteps = 4)
    {
        ArgumentNullException.ThrowIfNull(level0);
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(data);
        Guard.AtLeast(macroSteps, 1, nameof(macroSteps));
        if (data.ObservationDim != level0.ObservationDim || data.ActionDim != level0.ActionDim || level.BaseActionDim != data.ActionDim || level.LatentDim != level0.LatentDim)
            throw new ArgumentException($"data has O={data.ObservationDim}, A={data.ActionDim}; level 0 expects O={level0.ObservationDim}, A={level0.ActionDim}, Z={level0.LatentDim}; the level A={level.BaseActionDim}, S={level.LatentDim}.", nameof(data));
        int tau = level.TimeScale;
        if (data.Steps < tau)
            throw new ArgumentException($"episodes have T={data.Steps} steps, fewer than the level's time-scale {tau}.", nameof(data));
        int k = Math.Min(macroSteps, data.Steps / tau);
        var episodes = new int[data.Episodes];
        for (int e = 0; e < episodes.Length; e++) episodes[e] = e;

        using var windows = new MacroWindows(level0, data, tau, k, level.Device);
        var list = windows.All(episodes);
        var (model, baseline) = MacroActionTrainer.PerStepErrors(level.MacroEncoder, level.Predictors, windows, list, 1024);
        var prediction = new PredictionError[k];
        for (int j = 0; j < k; j++) prediction[j] = new PredictionError(j + 1, model[j], baseline[j], list.Length);

        var (mean, std, saturated, chunks) = MacroStatistics(level, data);
        return new MacroLevelReport(data.Episodes, tau, prediction, mean, std, saturated, chunks);
    }

    /// <summary>Encodes every chunk of tau consecutive base actions (one per start step) and summarises the macro-actions.</summary>
    private static (float[] Mean, float[] Std, double Saturated, long Chunks) MacroStatistics(TrainedMacroLevel level, TrajectoryDataset data)
    {
        int tau = level.TimeScale, a = data.ActionDim, m = level.MacroActionDim, perEpisode = data.Steps - tau + 1;
        int rows = data.Episodes * perEpisode;
        var chunks = new float[rows * tau * a];
        for (int e = 0; e < data.Episodes; e++)
            for (int s = 0; s < perEpisode; s++)
                data.Actions.AsSpan((e * data.Steps + s) * a, tau * a).CopyTo(chunks.AsSpan((e * perEpisode + s) * tau * a));
        var macro = new float[rows * m];
        level.EncodeMacroActions(chunks, rows, macro);
        var sum = new double[m];
        var sq = new double[m];
        long saturated = 0;
        for (int r = 0; r < rows; r++)
            for (int d = 0; d < m; d++)
            {
                double v = macro[r * m + d];
                sum[d] += v;
                sq[d] += v * v;
                if (Math.Abs(v) > 0.95) saturated++;
            }
        var mean = new float[m];
        var std = new float[m];
        for (int d = 0; d < m; d++)
        {
            double mu = sum[d] / rows;
            mean[d] = (float)mu;
            std[d] = (float)Math.Sqrt(Math.Max(0, sq[d] / rows - mu * mu));
        }
        return (mean, std, (double)saturated / ((long)rows * m), rows);
    }
}
