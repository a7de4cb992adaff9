using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Planner.Checkpoints;
using Planner.Data;
using Planner.Models;
using Planner.Numerics;
using Planner.Torch.Models;
using Planner.Torch.Runtime;
using TorchSharp.Modules;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// Trains one upper level of a hierarchy, HWM style: learned latent macro-actions. A macro-action encoder compresses
/// each chunk of tau primitive actions into m in [-1, 1]^M, and the level's residual predictor
/// <c>z_{t+tau} = z_t + MLP([z_t, m])</c> rolls the <b>frozen</b> level-0 latent forward K macro steps; both are trained
/// jointly to match the level-0 encoder's latents of the observations tau, 2 tau, ... K tau base steps later. Windows
/// start at every base step; validation on held-out episodes (the same split as the level-0 trainer for the same
/// seed), early stopping, best weights kept; reproducible for a seed and a fixed thread count.
/// </summary>
public static class MacroActionTrainer
{
    /// <summary>
    /// Trains a macro level on <paramref name="data"/> over the latent space of <paramref name="level0"/> (which is
    /// not changed). Progress goes to <paramref name="progress"/> after every batch and epoch (e.g. a
    /// <see cref="TrainingProgressBar"/>; the loss terms' Prediction is the macro prediction MSE).
    /// </summary>
    public static TrainedMacroLevel Train(TrainedWorldModel level0, TrajectoryDataset data, MacroLevelOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(level0);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.ObservationDim != level0.ObservationDim || data.ActionDim != level0.ActionDim)
            throw new ArgumentException($"data has O={data.ObservationDim}, A={data.ActionDim}; the level-0 model expects O={level0.ObservationDim}, A={level0.ActionDim}.", nameof(data));
        if (data.Steps < options.TimeScale)
            throw new ArgumentException($"episodes have T={data.Steps} steps; a level with time-scale {options.TimeScale} needs at least {options.TimeScale} (collect longer episodes or lower TimeScale).", nameof(data));
        var device = options.Device ?? level0.Device;
        if (options.Threads > 0) TorchRuntime.SetThreads(options.Threads);
        manual_seed(options.Seed);
        var clock = Stopwatch.StartNew();

        int tau = options.TimeScale, k = Math.Min(options.RolloutSteps, data.Steps / tau);
        var (trainEpisodes, validationEpisodes) = JepaTrainer.SplitEpisodes(data.Episodes, options.ValidationFraction, options.Seed);
        var metadata = Describe(level0, data, options);

        var encoder = new MacroActionEncoder(MlpWeights.Random(metadata.MacroEncoder.LayerSizes, options.Activation, options.Seed + 11));
        // Each predictor starts near the identity (small last layer): z' ~ z; ensemble members from different weights.
        var predictors = new ResidualMlpDynamics[options.EnsembleSize];
        for (int e = 0; e < predictors.Length; e++)
            predictors[e] = new ResidualMlpDynamics(metadata.LatentDim, metadata.MacroActionDim, options.PredictorHidden, options.Activation, options.Seed + 12 + 7919 * e, outputScale: 0.1f);
        encoder.to(device);
        var parameters = new List<Parameter>(encoder.parameters());
        foreach (var predictor in predictors)
        {
            predictor.to(device);
            parameters.AddRange(predictor.parameters());
        }
        using var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);

        using var windows = new MacroWindows(level0, data, tau, k, device);
        var trainWindows = windows.All(trainEpisodes);
        var validationWindows = windows.All(validationEpisodes);
        if (trainWindows.Length == 0)
            throw new ArgumentException($"no training window: episodes of T={data.Steps} steps hold no window of {k} x {tau} steps.", nameof(data));
        int perEpoch = options.WindowsPerEpoch > 0 ? Math.Min(options.WindowsPerEpoch, trainWindows.Length) : trainWindows.Length;
        int batches = (perEpoch + options.BatchSize - 1) / options.BatchSize;
        var rng = new DeterministicRandom((ulong)(uint)options.Seed * 0x9E3779B97F4A7C15UL + 0x3AC0UL);

        double best = double.PositiveInfinity;
        int bestEpoch = 0, epochsRun = 0;
        string stopReason = "epochs";
        List<Tensor>? bestWeights = null;
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                epochsRun = epoch;
                Shuffle(trainWindows, ref rng);
                double lossSum = 0, predictionSum = 0;
                encoder.train();
                foreach (var predictor in predictors) predictor.train();
                for (int batch = 0; batch < batches; batch++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int from = batch * options.BatchSize, count = Math.Min(options.BatchSize, perEpoch - from);
                    using (var scope = NewDisposeScope())
                    {
                        var (z, chunks) = windows.Gather(trainWindows.AsSpan(from, count));
                        if (options.ImaginedFraction > 0) (z, chunks) = ImaginedWindows.Mix(level0.Predictor, z, chunks, options.ImaginedFraction);
                        var prediction = MacroLoss.Rollout(encoder, predictors, z, chunks, out _, out _, out var pre, options.MacroNoise);
                        var loss = options.SaturationWeight > 0 ? prediction + pre.square().mean() * options.SaturationWeight : prediction;
                        optimizer.zero_grad();
                        loss.backward();
                        if (options.GradientClip > 0) nn.utils.clip_grad_norm_(parameters, options.GradientClip);
                        optimizer.step();
                        lossSum += loss.item<float>();
                        predictionSum += prediction.item<float>();
                    }
                    progress?.Report(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, lossSum / (batch + 1),
                        new LossTerms(predictionSum / (batch + 1), 0, 0, 0), double.NaN, WeightSnapshots.Nan(best), clock.Elapsed, EpochDone: false));
                }

                double validation = validationWindows.Length > 0
                    ? ValidationRatio(encoder, predictors, windows, validationWindows, options.BatchSize)
                    : lossSum / batches;
                if (!double.IsFinite(validation) || !double.IsFinite(lossSum))
                    throw new InvalidOperationException($"macro level {options.Level} training diverged at epoch {epoch} (loss {lossSum / batches}, validation {validation}); lower LearningRate (now {options.LearningRate}).");
                if (validation < best)
                {
                    best = validation;
                    bestEpoch = epoch;
                    WeightSnapshots.Dispose(bestWeights);
                    bestWeights = WeightSnapshots.Take(parameters);
                }
                progress?.Report(new TrainingProgress(epoch, options.Epochs, batches, batches, lossSum / batches,
                    new LossTerms(predictionSum / batches, 0, 0, 0), validation, best, clock.Elapsed, EpochDone: true));
                if (options.Patience > 0 && epoch - bestEpoch >= options.Patience) { stopReason = "early stopping"; break; }
                if (options.MaxDuration is { } max && clock.Elapsed >= max) { stopReason = "time limit"; break; }
            }
            if (bestWeights is not null) WeightSnapshots.Restore(parameters, bestWeights);
        }
        catch
        {
            encoder.Dispose();
            foreach (var predictor in predictors) predictor.Dispose();
            throw;
        }
        finally
        {
            WeightSnapshots.Dispose(bestWeights);
        }

        progress?.Report(new TrainingProgress(epochsRun, options.Epochs, batches, batches, double.NaN, default, double.NaN, best, clock.Elapsed,
            EpochDone: true, Finished: true));
        var summary = new TrainingSummary(epochsRun, bestEpoch, best, clock.Elapsed.TotalSeconds, stopReason, trainEpisodes.Length, validationEpisodes.Length, validationEpisodes);
        return new TrainedMacroLevel(metadata with { Training = TrainingRecord(options, device, k, summary) }, encoder, predictors, device) { Summary = summary };
    }

    /// <summary>The level's architecture for this level-0 model, data and options (with the level-0 encoder's fingerprint).</summary>
    public static LevelMetadata Describe(TrainedWorldModel level0, TrajectoryDataset data, MacroLevelOptions options)
    {
        ArgumentNullException.ThrowIfNull(level0);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        int s = level0.LatentDim, a = level0.ActionDim, m = options.MacroActionDim, chunk = options.TimeScale * a;
        var metadata = new LevelMetadata
        {
            Level = options.Level,
            TimeScale = options.TimeScale,
            BaseActionDim = a,
            MacroActionDim = m,
            LatentDim = s,
            MacroEncoder = new MlpSpec([chunk, .. options.EncoderHidden, m], options.Activation),
            Predictor = new MlpSpec(ResidualMlpDynamics.Sizes(s, m, options.PredictorHidden), options.Activation),
            EnsembleSize = options.EnsembleSize,
            BaseEncoderSha256 = TrainedMacroLevel.BaseFingerprint(level0),
            Data = new Dictionary<string, string>(data.Metadata),
        };
        try
        {
            metadata.Validate("options");
        }
        catch (CheckpointException e)
        {
            throw new ArgumentException(e.Message, nameof(options), e);
        }
        return metadata;
    }

    /// <summary>Sum over macro steps of the model's MSE / the same sum for predicting no change, over all windows.</summary>
    internal static double ValidationRatio(MacroActionEncoder encoder, IReadOnlyList<ResidualMlpDynamics> predictors, MacroWindows windows, (int Episode, int Start)[] list, int batchSize)
    {
        var (model, baseline) = PerStepErrors(encoder, predictors, windows, list, batchSize);
        double m = 0, b = 0;
        for (int j = 0; j < model.Length; j++) { m += model[j]; b += baseline[j]; }
        return m / Math.Max(b, 1e-12);
    }

    /// <summary>Mean squared L2 error per macro step j = 1..K of the model (mean over the ensemble's predictors) and of the no-change baseline over <paramref name="list"/>.</summary>
    internal static (double[] Model, double[] Baseline) PerStepErrors(MacroActionEncoder encoder, IReadOnlyList<ResidualMlpDynamics> predictors, MacroWindows windows, (int Episode, int Start)[] list, int batchSize)
    {
        encoder.eval();
        foreach (var predictor in predictors) predictor.eval();
        using var noGrad = no_grad();
        int k = windows.MacroSteps;
        var model = new double[k];
        var baseline = new double[k];
        for (int from = 0; from < list.Length; from += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, list.Length - from);
            var (z, chunks) = windows.Gather(list.AsSpan(from, count));
            MacroLoss.Rollout(encoder, predictors, z, chunks, out var perStep, out var basePerStep, out _);
            var mp = perStep.cpu().data<float>().ToArray();
            var bp = basePerStep.cpu().data<float>().ToArray();
            for (int j = 0; j < k; j++) { model[j] += mp[j] * count; baseline[j] += bp[j] * count; }
        }
        // Squared L2 norms (mean over dimensions x S), as WorldModelEvaluation reports them.
        double scale = windows.LatentDim / (double)Math.Max(list.Length, 1);
        for (int j = 0; j < k; j++) { model[j] *= scale; baseline[j] *= scale; }
        return (model, baseline);
    }

    private static void Shuffle((int, int)[] items, ref DeterministicRandom rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }


    private static JsonObject TrainingRecord(MacroLevelOptions options, Device device, int rolloutSteps, TrainingSummary summary)
    {
        var node = JsonSerializer.SerializeToNode(options with { Device = null }, WorldModelCheckpoint.JsonOptions)!.AsObject();
        node.Remove("device");
        node["device"] = device.ToString();
        node["rolloutStepsUsed"] = rolloutSteps;
        node["summary"] = JsonSerializer.SerializeToNode(summary, WorldModelCheckpoint.JsonOptions);
        return node;
    }
}
