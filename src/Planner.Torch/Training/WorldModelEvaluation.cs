using Planner.Data;

namespace Planner.Torch.Training;

/// <summary>Options of <see cref="WorldModelEvaluation.Evaluate"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Open-loop prediction horizons k (each at most the episode length).</summary>
    public int[] Horizons { get; init; } = [1, 4, 16];

    /// <summary>A dimension counts as collapsed when its std is below this fraction of the mean per-dimension std.</summary>
    public double CollapseFraction { get; init; } = 0.01;

    /// <summary>Fraction of the episodes the position probe is fitted on (the rest measure its R^2), split by episode.</summary>
    public double ProbeFitFraction { get; init; } = 0.5;

    /// <summary>Rows (start states) per batch of the rollout.</summary>
    public int BatchRows { get; init; } = 8192;
}

/// <summary>Open-loop latent prediction error at horizon k against the predict-no-change baseline.</summary>
/// <param name="Horizon">k.</param>
/// <param name="ModelError">Mean over starts of <c>|z_hat(t+k) - z(t+k)|^2</c>, z_hat rolled k steps from z(t) with the real actions.</param>
/// <param name="BaselineError">Mean of <c>|z(t) - z(t+k)|^2</c>.</param>
/// <param name="Starts">Number of start states.</param>
public sealed record PredictionError(int Horizon, double ModelError, double BaselineError, long Starts)
{
    /// <summary>ModelError / BaselineError (below 1: better than assuming nothing moves).</summary>
    public double Ratio => ModelError / BaselineError;
}

/// <summary>What <see cref="WorldModelEvaluation.Evaluate"/> measured.</summary>
/// <param name="Episodes">Episodes evaluated.</param>
/// <param name="Prediction">Errors per horizon.</param>
/// <param name="EmbeddingStd">Per-dimension std of the embeddings of every observation.</param>
/// <param name="CollapsedDimensions">Dimensions with std below <see cref="EvaluationOptions.CollapseFraction"/> x the mean std.</param>
/// <param name="ProbeR2">Pooled R^2 of a linear probe latent -> position on held-out episodes (NaN without positions).</param>
/// <param name="ProbeR2PerDimension">R^2 per position coordinate.</param>
/// <param name="ProbeFitEpisodes">Episodes the probe was fitted on (the others measured R^2).</param>
/// <param name="Probe">The fitted latent -> position probe (null without positions), e.g. for <see cref="WorldModelEvaluation.OpenLoopPositions"/>.</param>
public sealed record WorldModelReport(int Episodes, IReadOnlyList<PredictionError> Prediction, float[] EmbeddingStd, int CollapsedDimensions,
    double ProbeR2, double[] ProbeR2PerDimension, int ProbeFitEpisodes, LinearProbe? Probe)
{
    /// <summary>A few lines of plain text.</summary>
    public override string ToString()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append(inv, $"episodes {Episodes}\n");
        foreach (var p in Prediction)
            sb.Append(inv, $"k={p.Horizon,3}: model {p.ModelError:G4}  no-change {p.BaselineError:G4}  ratio {p.Ratio:F4}  ({p.Starts} starts)\n");
        float min = float.MaxValue, max = 0, sum = 0;
        foreach (float s in EmbeddingStd) { min = Math.Min(min, s); max = Math.Max(max, s); sum += s; }
        sb.Append(inv, $"embedding std: min {min:G3} mean {sum / EmbeddingStd.Length:G3} max {max:G3}; collapsed dims {CollapsedDimensions}/{EmbeddingStd.Length}\n");
        sb.Append(inv, $"position probe R^2 {ProbeR2:F4} (per dim {string.Join(", ", Array.ConvertAll(ProbeR2PerDimension, r => r.ToString("F4", inv)))}; fitted on {ProbeFitEpisodes} episodes)");
        return sb.ToString();
    }
}

/// <summary>
/// Measures a trained world model on (held-out) episodes: k-step open-loop latent prediction error against the
/// no-change baseline, per-dimension embedding spread (collapse check), and a linear probe from latent to position.
/// </summary>
public static class WorldModelEvaluation
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="data"/> (pass episodes it was not trained on).</summary>
    public static WorldModelReport Evaluate(TrainedWorldModel model, TrajectoryDataset data, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new EvaluationOptions();
        ArgumentNullException.ThrowIfNull(options.Horizons);
        Guard.AtLeast(options.BatchRows, 1, nameof(options.BatchRows));
        Guard.InRange(options.ProbeFitFraction, 0.05, 0.95, nameof(options.ProbeFitFraction));
        if (data.ObservationDim != model.ObservationDim || data.ActionDim != model.ActionDim)
            throw new ArgumentException($"data has O={data.ObservationDim}, A={data.ActionDim}; the model expects O={model.ObservationDim}, A={model.ActionDim}.", nameof(data));
        foreach (int k in options.Horizons)
            if (k < 1 || k > data.Steps)
                throw new ArgumentException($"horizon {k} must be in [1, T={data.Steps}].", nameof(options));

        int e = data.Episodes, t1 = data.Steps + 1, z = model.LatentDim;
        var latents = EncodeAll(model, data, options.BatchRows);
        var errors = new List<PredictionError>();
        foreach (int k in options.Horizons) errors.Add(Rollout(model, data, latents, k, options.BatchRows));

        var std = PerDimensionStd(latents, z);
        float meanStd = 0;
        foreach (float s in std) meanStd += s / z;
        int collapsed = 0;
        foreach (float s in std) if (s < options.CollapseFraction * meanStd || !(s > 0)) collapsed++;

        double r2 = double.NaN;
        double[] perDim = [];
        int fitEpisodes = 0;
        LinearProbe? probe = null;
        if (data.PositionDim > 0 && e >= 2)
        {
            fitEpisodes = Math.Clamp((int)Math.Round(options.ProbeFitFraction * e), 1, e - 1);
            int fitRows = fitEpisodes * t1;
            probe = LinearProbe.Fit(latents.AsSpan(0, fitRows * z), z, data.Positions.AsSpan(0, fitRows * data.PositionDim), data.PositionDim);
            (r2, perDim) = probe.RSquared(latents.AsSpan(fitRows * z), data.Positions.AsSpan(fitRows * data.PositionDim));
        }
        return new WorldModelReport(e, errors, std, collapsed, r2, perDim, fitEpisodes, probe);
    }

    /// <summary>
    /// Positions <c>[(steps+1) x P]</c> decoded by <paramref name="probe"/> from an open-loop rollout: encode observation
    /// <paramref name="start"/> of <paramref name="episode"/>, then apply the predictor with the episode's real actions for
    /// <paramref name="steps"/> steps. Draw it beside the true positions (<c>data.Positions</c>) to see where the model drifts.
    /// </summary>
    public static float[] OpenLoopPositions(TrainedWorldModel model, TrajectoryDataset data, LinearProbe probe, int episode, int start, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(probe);
        if (episode < 0 || episode >= data.Episodes) throw new ArgumentOutOfRangeException(nameof(episode), episode, $"episode must be in [0, {data.Episodes}).");
        if (start < 0 || steps < 0 || start + steps > data.Steps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"start {start} + steps {steps} must lie within the episode's T = {data.Steps} steps.");
        if (probe.InputDim != model.LatentDim)
            throw new ArgumentException($"the probe reads {probe.InputDim} values; the model's latents have {model.LatentDim}.", nameof(probe));
        var latents = new float[(steps + 1) * model.LatentDim];
        model.Encode(data.Observation(episode, start), 1, latents.AsSpan(0, model.LatentDim));
        for (int i = 0; i < steps; i++)
            model.Predict(latents.AsSpan(i * model.LatentDim, model.LatentDim), data.Action(episode, start + i), 1,
                latents.AsSpan((i + 1) * model.LatentDim, model.LatentDim));
        var positions = new float[(steps + 1) * probe.OutputDim];
        probe.Predict(latents, positions);
        return positions;
    }

    private static float[] EncodeAll(TrainedWorldModel model, TrajectoryDataset data, int batchRows)
    {
        int rows = data.Episodes * (data.Steps + 1), o = data.ObservationDim, z = model.LatentDim;
        var latents = new float[(long)rows * z];
        for (int from = 0; from < rows; from += batchRows)
        {
            int count = Math.Min(batchRows, rows - from);
            model.Encode(data.Observations.AsSpan(from * o, count * o), count, latents.AsSpan(from * z, count * z));
        }
        return latents;
    }

    private static PredictionError Rollout(TrainedWorldModel model, TrajectoryDataset data, float[] latents, int k, int batchRows)
    {
        int t = data.Steps, z = model.LatentDim, a = data.ActionDim;
        int startsPerEpisode = t - k + 1;
        long starts = (long)data.Episodes * startsPerEpisode;
        double modelSum = 0, baseSum = 0;
        int episodesPerBatch = Math.Max(1, batchRows / startsPerEpisode);
        using var _ = no_grad();
        for (int e0 = 0; e0 < data.Episodes; e0 += episodesPerBatch)
        {
            using var scope = NewDisposeScope();
            int ne = Math.Min(episodesPerBatch, data.Episodes - e0);
            var zAll = tensor(latents.AsSpan(e0 * (t + 1) * z, ne * (t + 1) * z).ToArray(), [ne, t + 1, z]).to(model.Device);
            var acts = tensor(data.Actions.AsSpan(e0 * t * a, ne * t * a).ToArray(), [ne, t, a]).to(model.Device);
            var pred = zAll.narrow(1, 0, startsPerEpisode).reshape(-1, z);
            for (int i = 0; i < k; i++)
                pred = model.Predictor.call(pred, acts.narrow(1, i, startsPerEpisode).reshape(-1, a));
            var target = zAll.narrow(1, k, startsPerEpisode).reshape(-1, z);
            var start = zAll.narrow(1, 0, startsPerEpisode).reshape(-1, z);
            modelSum += (pred - target).square().sum(1).sum().item<float>();
            baseSum += (start - target).square().sum(1).sum().item<float>();
        }
        return new PredictionError(k, modelSum / starts, baseSum / starts, starts);
    }

    private static float[] PerDimensionStd(float[] latents, int z)
    {
        long rows = latents.Length / z;
        var sum = new double[z];
        var sumSq = new double[z];
        for (long r = 0; r < rows; r++)
            for (int d = 0; d < z; d++)
            {
                double v = latents[r * z + d];
                sum[d] += v;
                sumSq[d] += v * v;
            }
        var std = new float[z];
        for (int d = 0; d < z; d++)
        {
            double m = sum[d] / rows;
            std[d] = (float)Math.Sqrt(Math.Max(0, sumSq[d] / rows - m * m));
        }
        return std;
    }
}
