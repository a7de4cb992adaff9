using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Planner.Checkpoints;
using Planner.Data;
using Planner.Numerics;
using Planner.Torch.Models;
using Planner.Torch.Runtime;
using TorchSharp.Modules;

namespace Planner.Torch.Training;

/// <summary>
/// Learns a world model from reward-free trajectories, JEPA style: an encoder embeds observations, a residual predictor
/// rolls the embedding forward with the real actions for k steps, and the loss compares the predictions with target
/// embeddings of the observations that followed (stop-gradient or EMA target), plus VICReg variance and covariance
/// terms against collapse and an optional inverse-dynamics head. Validation on held-out episodes, learning rate halved
/// on a plateau, early stopping, best weights kept; reproducible for a seed and a fixed thread count.
/// </summary>
public static class JepaTrainer
{
    /// <summary>
    /// Trains on <paramref name="data"/> and returns the model with the best validation error. Progress goes to
    /// <paramref name="progress"/> after every batch and epoch (e.g. a <see cref="TrainingProgressBar"/>).
    /// </summary>
    public static TrainedWorldModel Train(TrajectoryDataset data, JepaOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var device = options.Device ?? CPU;
        if (options.Threads > 0) TorchRuntime.SetThreads(options.Threads);
        manual_seed(options.Seed);
        var clock = Stopwatch.StartNew();

        var (trainEpisodes, validationEpisodes) = SplitEpisodes(data.Episodes, options.ValidationFraction, options.Seed);
        var metadata = Describe(data, options, trainEpisodes);
        int steps = data.Steps;
        int chunk = Math.Min(options.ChunkSteps, steps);
        int k = Math.Min(options.PredictionSteps, chunk);

        var encoder = new TorchEncoder(metadata.Encoder, options.Seed);
        // The predictor starts near the identity (small last layer): z' ~ z.
        var predictor = new ResidualMlpDynamics(metadata.LatentDim, metadata.ActionDim, options.PredictorHidden, options.Activation, options.Seed + 1, outputScale: 0.1f);
        var inverse = metadata.InverseDynamics is { } inv ? new TorchMlp(inv.LayerSizes, inv.Activation, options.Seed + 2) : null;
        encoder.to(device);
        predictor.to(device);
        inverse?.to(device);
        TorchEncoder? emaEncoder = null;
        if (options.Target == TargetEncoderMode.Ema)
        {
            emaEncoder = new TorchEncoder(metadata.Encoder, options.Seed);
            emaEncoder.to(device);
            emaEncoder.eval();
            foreach (var p in emaEncoder.parameters()) p.requires_grad = false;
        }

        var parameters = new List<Parameter>(encoder.parameters());
        parameters.AddRange(predictor.parameters());
        if (inverse is not null) parameters.AddRange(inverse.parameters());
        using var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);

        using var staged = new StagedData(data, metadata.Normalization, device);
        var validationChunks = FixedChunks(validationEpisodes, steps, chunk);
        int chunksPerEpoch = trainEpisodes.Length * Math.Max(1, steps / chunk);
        int batches = (chunksPerEpoch + options.BatchSize - 1) / options.BatchSize;
        var rng = new DeterministicRandom((ulong)(uint)options.Seed * 0x9E3779B97F4A7C15UL + 17);

        double best = double.PositiveInfinity;
        int bestEpoch = 0, epochsRun = 0, lastDecay = 0;
        double learningRate = options.LearningRate;
        string stopReason = "epochs";
        List<Tensor>? bestWeights = null;
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                epochsRun = epoch;
                var chunks = SampleChunks(trainEpisodes, steps, chunk, chunksPerEpoch, ref rng);
                double lossSum = 0;
                var termSum = default(LossTerms);
                encoder.train();
                predictor.train();
                for (int batch = 0; batch < batches; batch++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int from = batch * options.BatchSize, count = Math.Min(options.BatchSize, chunks.Length - from);
                    using (var scope = NewDisposeScope())
                    {
                        var (obs, act) = staged.Gather(chunks.AsSpan(from, count), chunk);
                        var (loss, terms) = BatchLoss(encoder, emaEncoder, predictor, inverse, obs, act, k, options);
                        optimizer.zero_grad();
                        loss.backward();
                        if (options.GradientClip > 0) nn.utils.clip_grad_norm_(parameters, options.GradientClip);
                        optimizer.step();
                        if (emaEncoder is not null) UpdateEma(emaEncoder, encoder, options.EmaDecay);
                        lossSum += loss.item<float>();
                        termSum += terms;
                    }
                    progress?.Report(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, lossSum / (batch + 1), termSum / (batch + 1),
                        double.NaN, WeightSnapshots.Nan(best), clock.Elapsed, EpochDone: false));
                }

                double validation = validationChunks.Length > 0
                    ? ValidationError(encoder, predictor, staged, validationChunks, chunk, k, options.BatchSize)
                    : lossSum / batches;
                if (!double.IsFinite(validation) || !double.IsFinite(lossSum))
                    throw new InvalidOperationException($"training diverged at epoch {epoch} (loss {lossSum / batches}, validation {validation}); lower LearningRate (now {options.LearningRate}).");
                if (validation < best)
                {
                    best = validation;
                    bestEpoch = epoch;
                    WeightSnapshots.Dispose(bestWeights);
                    bestWeights = WeightSnapshots.Take(parameters);
                }
                progress?.Report(new TrainingProgress(epoch, options.Epochs, batches, batches, lossSum / batches, termSum / batches,
                    validation, best, clock.Elapsed, EpochDone: true));
                if (options.Patience > 0 && epoch - bestEpoch >= options.Patience) { stopReason = "early stopping"; break; }
                // Halve the learning rate when validation stalls for half the patience (the weights keep oscillating otherwise).
                int plateau = Math.Max(1, options.Patience / 2);
                if (options.Patience > 0 && epoch - Math.Max(bestEpoch, lastDecay) >= plateau)
                {
                    learningRate *= 0.5;
                    lastDecay = epoch;
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
                }
                if (options.MaxDuration is { } max && clock.Elapsed >= max) { stopReason = "time limit"; break; }
            }
            if (bestWeights is not null) WeightSnapshots.Restore(parameters, bestWeights);
        }
        catch
        {
            encoder.Dispose();
            predictor.Dispose();
            inverse?.Dispose();
            throw;
        }
        finally
        {
            WeightSnapshots.Dispose(bestWeights);
            emaEncoder?.Dispose();
        }

        progress?.Report(new TrainingProgress(epochsRun, options.Epochs, batches, batches, double.NaN, default, double.NaN, best, clock.Elapsed,
            EpochDone: true, Finished: true));
        var summary = new TrainingSummary(epochsRun, bestEpoch, best, clock.Elapsed.TotalSeconds, stopReason, trainEpisodes.Length, validationEpisodes.Length, validationEpisodes);
        var model = new TrainedWorldModel(metadata with { Training = TrainingRecord(options, summary) }, encoder, predictor, inverse, device) { Summary = summary };
        return model;
    }

    /// <summary>
    /// Splits episodes by a seeded shuffle: <c>round(fraction * E)</c> for validation (at least 1 when fraction > 0 and
    /// E >= 2), the rest for training. Both lists sorted.
    /// </summary>
    public static (int[] Train, int[] Validation) SplitEpisodes(int episodes, double fraction, int seed)
    {
        Guard.AtLeast(episodes, 1, nameof(episodes));
        Guard.InRange(fraction, 0, 0.9, nameof(fraction));
        var order = new int[episodes];
        for (int i = 0; i < episodes; i++) order[i] = i;
        var rng = new DeterministicRandom((ulong)(uint)seed + 0x5B117UL);
        for (int i = episodes - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int validation = fraction <= 0 || episodes < 2 ? 0 : Math.Clamp((int)Math.Round(fraction * episodes), 1, episodes - 1);
        var val = order[..validation];
        var train = order[validation..];
        Array.Sort(val);
        Array.Sort(train);
        return (train, val);
    }

    /// <summary>The architecture and normalisation the options give for this data (normalisation from <paramref name="trainEpisodes"/>).</summary>
    public static WorldModelMetadata Describe(TrajectoryDataset data, JepaOptions options, IReadOnlyList<int> trainEpisodes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trainEpisodes);
        int o = data.ObservationDim, z = options.LatentDim, a = data.ActionDim;
        var image = ImageShape(data, options);
        var kind = options.Encoder ?? (image is null ? EncoderKind.Mlp : EncoderKind.Conv);
        EncoderSpec encoder;
        if (kind == EncoderKind.Mlp)
        {
            encoder = new EncoderSpec(EncoderKind.Mlp, Mlp: new MlpSpec([o, .. options.EncoderHidden, z], options.Activation));
        }
        else
        {
            var (c, h, w) = image ?? throw new ArgumentException($"a CNN encoder needs the image shape: set ImageHeight/ImageWidth (O = {o} is not a square image).", nameof(options));
            if (c * h * w != o)
                throw new ArgumentException($"image {c}x{h}x{w} = {c * h * w} values, but the observations have O = {o}.", nameof(options));
            var layers = new ConvLayerSpec[options.ConvChannels.Length];
            for (int i = 0; i < layers.Length; i++) layers[i] = new ConvLayerSpec(options.ConvChannels[i], 4, 2, 1);
            var partial = new ConvEncoderSpec(c, h, w, layers, new MlpSpec([1, z], options.Activation));
            var (oc, oh, ow) = partial.OutputShape();
            encoder = new EncoderSpec(EncoderKind.Conv, Conv: partial with { Head = new MlpSpec([oc * oh * ow, .. options.ConvHeadHidden, z], options.Activation) });
        }
        var normalization = ComputeNormalization(data, trainEpisodes, sharedStd: kind == EncoderKind.Conv);
        var metadata = new WorldModelMetadata
        {
            ObservationDim = o,
            ActionDim = a,
            LatentDim = z,
            Encoder = encoder,
            Predictor = new MlpSpec([z + a, .. options.PredictorHidden, z], options.Activation),
            InverseDynamics = options.InverseDynamicsWeight > 0 ? new MlpSpec([2 * z, .. options.InverseDynamicsHidden, a], options.Activation) : null,
            Normalization = normalization,
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

    private static (int C, int H, int W)? ImageShape(TrajectoryDataset data, JepaOptions options)
    {
        int c = options.ImageChannels;
        if (options.ImageHeight > 0 || options.ImageWidth > 0)
        {
            int h = options.ImageHeight > 0 ? options.ImageHeight : data.ObservationDim / c / options.ImageWidth;
            int w = options.ImageWidth > 0 ? options.ImageWidth : data.ObservationDim / c / options.ImageHeight;
            return (c, h, w);
        }
        var shape = data.ObservationShape;
        if (shape.Count == 2) return (1, shape[0], shape[1]);
        if (shape.Count == 3) return (shape[0], shape[1], shape[2]);
        if (TryInt(data.Metadata, "imageHeight", out int mh) && TryInt(data.Metadata, "imageWidth", out int mw) && mh * mw > 0)
            return (data.ObservationDim / (mh * mw), mh, mw);
        int side = (int)Math.Round(Math.Sqrt(data.ObservationDim));
        return side >= 16 && side * side == data.ObservationDim ? (1, side, side) : null;
    }

    private static bool TryInt(IReadOnlyDictionary<string, string> metadata, string key, out int value)
    {
        value = 0;
        return metadata.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static ObservationNormalization ComputeNormalization(TrajectoryDataset data, IReadOnlyList<int> episodes, bool sharedStd)
    {
        int perEpisode = (data.Steps + 1) * data.ObservationDim;
        var buffer = new float[episodes.Count * perEpisode];
        for (int i = 0; i < episodes.Count; i++)
            data.Observations.AsSpan(episodes[i] * perEpisode, perEpisode).CopyTo(buffer.AsSpan(i * perEpisode));
        return ObservationNormalization.Compute(buffer, data.ObservationDim, sharedStd);
    }

    private static (Tensor Loss, LossTerms Terms) BatchLoss(TorchEncoder encoder, TorchEncoder? ema, ResidualMlpDynamics predictor, TorchMlp? inverse,
        Tensor obs, Tensor act, int k, JepaOptions o)
    {
        var z = JepaLoss.Embed(encoder, obs);
        Tensor targets = o.Target switch
        {
            TargetEncoderMode.Shared => z,
            TargetEncoderMode.StopGradient => z.detach(),
            _ => EmbedNoGrad(ema!, obs),
        };
        var prediction = JepaLoss.Prediction(predictor, z, targets, act, k, withBaseline: false, out _, out _);
        var rows = z.reshape(-1, z.shape[2]);
        var variance = JepaLoss.Variance(rows);
        var covariance = JepaLoss.Covariance(rows);
        var loss = prediction * o.PredictionWeight + variance * o.VarianceWeight + covariance * o.CovarianceWeight;
        double inv = 0;
        if (inverse is not null)
        {
            var id = JepaLoss.InverseDynamics(inverse, z, act);
            loss = loss + id * o.InverseDynamicsWeight;
            inv = id.item<float>();
        }
        return (loss, new LossTerms(prediction.item<float>(), variance.item<float>(), covariance.item<float>(), inv));
    }

    private static Tensor EmbedNoGrad(TorchEncoder encoder, Tensor obs)
    {
        using var _ = no_grad();
        return JepaLoss.Embed(encoder, obs);
    }

    private static double ValidationError(TorchEncoder encoder, ResidualMlpDynamics predictor, StagedData staged, (int Episode, int Start)[] chunks, int chunk, int k, int batchSize)
    {
        encoder.eval();
        predictor.eval();
        using var _ = no_grad();
        double model = 0, baseline = 0;
        for (int from = 0; from < chunks.Length; from += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, chunks.Length - from);
            var (obs, act) = staged.Gather(chunks.AsSpan(from, count), chunk);
            var z = JepaLoss.Embed(encoder, obs);
            JepaLoss.Prediction(predictor, z, z, act, k, withBaseline: true, out var baseSum, out var modelSum);
            model += modelSum.item<float>() * count;
            baseline += baseSum!.item<float>() * count;
        }
        return model / Math.Max(baseline, 1e-12);
    }

    private static (int Episode, int Start)[] SampleChunks(int[] episodes, int steps, int chunk, int count, ref DeterministicRandom rng)
    {
        var chunks = new (int, int)[count];
        int perEpisode = Math.Max(1, steps / chunk);
        for (int i = 0; i < count; i++)
            chunks[i] = (episodes[i / perEpisode], rng.NextInt(steps - chunk + 1));
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (chunks[i], chunks[j]) = (chunks[j], chunks[i]);
        }
        return chunks;
    }

    private static (int Episode, int Start)[] FixedChunks(int[] episodes, int steps, int chunk)
    {
        var list = new List<(int, int)>();
        foreach (int e in episodes)
            for (int s = 0; s + chunk <= steps; s += chunk) list.Add((e, s));
        return list.ToArray();
    }

    private static void UpdateEma(TorchEncoder target, TorchEncoder online, double decay)
    {
        using var _ = no_grad();
        var targetParams = new List<Parameter>(target.parameters());
        int i = 0;
        foreach (var p in online.parameters())
        {
            targetParams[i].mul_(decay).add_(p, alpha: 1 - decay);
            i++;
        }
    }


    private static JsonObject TrainingRecord(JepaOptions options, TrainingSummary summary)
    {
        var o = options with { Device = null };
        var node = JsonSerializer.SerializeToNode(o, WorldModelCheckpoint.JsonOptions)!.AsObject();
        node.Remove("device");
        node["device"] = (options.Device ?? CPU).ToString();
        node["summary"] = JsonSerializer.SerializeToNode(summary, WorldModelCheckpoint.JsonOptions);
        return node;
    }
}

/// <summary>How a training run ended.</summary>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch whose weights were kept.</param>
/// <param name="BestValidationError">Its validation error (k-step prediction error / no-change baseline; the training loss when no episode is held out).</param>
/// <param name="Seconds">Wall-clock training time.</param>
/// <param name="StopReason"><c>epochs</c>, <c>early stopping</c> or <c>time limit</c>.</param>
/// <param name="TrainEpisodes">Episodes trained on.</param>
/// <param name="ValidationEpisodeCount">Episodes held out.</param>
/// <param name="ValidationEpisodes">Indices of the held-out episodes (in the training data).</param>
public sealed record TrainingSummary(int Epochs, int BestEpoch, double BestValidationError, double Seconds, string StopReason,
    int TrainEpisodes, int ValidationEpisodeCount, int[] ValidationEpisodes);
