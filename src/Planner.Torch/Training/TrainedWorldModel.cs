using Planner.Torch.Runtime;
using Planner.Checkpoints;
using Planner.Models;
using Planner.Torch.Models;

namespace Planner.Torch.Training;

/// <summary>
/// A trained world model: observation normalisation, encoder (observation -> latent) and residual predictor
/// (<c>z' = z + MLP([z, a])</c>), optionally an inverse-dynamics head. Saves to and loads from a
/// <see cref="WorldModelCheckpoint"/> directory. Holds native memory: dispose it.
/// </summary>
public sealed class TrainedWorldModel : IDisposable
{
    private readonly Tensor _mean, _std;
    private bool _disposed;

    /// <summary>Assembles a model from its parts (the metadata describes them; it is validated against them).</summary>
    public TrainedWorldModel(WorldModelMetadata metadata, TorchEncoder encoder, ResidualMlpDynamics predictor, TorchMlp? inverseDynamics = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(predictor);
        metadata.Validate("metadata");
        if (encoder.Spec != metadata.Encoder && (encoder.InputDim != metadata.ObservationDim || encoder.OutputDim != metadata.LatentDim))
            throw new ArgumentException($"the encoder maps {encoder.InputDim} -> {encoder.OutputDim}; the metadata says {metadata.ObservationDim} -> {metadata.LatentDim}.", nameof(encoder));
        if (predictor.StateDim != metadata.LatentDim || predictor.ActionDim != metadata.ActionDim)
            throw new ArgumentException($"the predictor has S={predictor.StateDim}, A={predictor.ActionDim}; the metadata says Z={metadata.LatentDim}, A={metadata.ActionDim}.", nameof(predictor));
        if ((inverseDynamics is null) != (metadata.InverseDynamics is null))
            throw new ArgumentException("the inverse-dynamics head and the metadata's inverseDynamics section must be both present or both absent.", nameof(inverseDynamics));
        Metadata = metadata;
        Encoder = encoder;
        Predictor = predictor;
        InverseDynamics = inverseDynamics;
        Device = device ?? CPU;
        encoder.to(Device);
        predictor.to(Device);
        inverseDynamics?.to(Device);
        encoder.eval();
        predictor.eval();
        _mean = tensor(metadata.Normalization.Mean).to(Device).DetachFromDisposeScope();
        _std = tensor(metadata.Normalization.Std).to(Device).DetachFromDisposeScope();
    }

    /// <summary>Architecture, dimensions, normalisation and training record.</summary>
    public WorldModelMetadata Metadata { get; }

    /// <summary>Observation -> latent (expects normalised input; <see cref="EncodeTensor"/> normalises).</summary>
    public TorchEncoder Encoder { get; }

    /// <summary>The residual predictor; usable directly as an <see cref="ITorchDynamics"/> for planning.</summary>
    public ResidualMlpDynamics Predictor { get; }

    /// <summary>The auxiliary inverse-dynamics head, or null.</summary>
    public TorchMlp? InverseDynamics { get; }

    /// <summary>Where the parameters live.</summary>
    public Device Device { get; }

    /// <summary>Observation size O.</summary>
    public int ObservationDim => Metadata.ObservationDim;

    /// <summary>Action size A.</summary>
    public int ActionDim => Metadata.ActionDim;

    /// <summary>Latent size Z.</summary>
    public int LatentDim => Metadata.LatentDim;

    /// <summary>Observation normalisation.</summary>
    public ObservationNormalization Normalization => Metadata.Normalization;

    /// <summary>Normalises raw observations <c>[rows x O]</c> (on <see cref="Device"/>).</summary>
    public Tensor Normalize(Tensor observations) => (observations - _mean) / _std;

    /// <summary>Encodes raw observations <c>[rows x O]</c> to latents <c>[rows x Z]</c>, normalising first (differentiable).</summary>
    public Tensor EncodeTensor(Tensor observations) => Encoder.call(Normalize(observations));

    /// <summary>Encodes <paramref name="rows"/> raw observations into <paramref name="latents"/> <c>[rows x Z]</c>.</summary>
    public void Encode(ReadOnlySpan<float> observations, int rows, Span<float> latents)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.AtLeast(rows, 1, nameof(rows));
        Guard.Length(observations.Length, rows * ObservationDim, nameof(observations), $"[rows={rows} x O={ObservationDim}]");
        Guard.Length(latents.Length, rows * LatentDim, nameof(latents), $"[rows={rows} x Z={LatentDim}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var obs = HostTensors.Upload(observations, [rows, ObservationDim], Device);
        var z = EncodeTensor(obs).cpu().contiguous();
        z.data<float>().CopyTo(latents);
    }

    /// <summary>Encodes raw observations and returns the latents <c>[rows x Z]</c>.</summary>
    public float[] Encode(ReadOnlySpan<float> observations, int rows)
    {
        var latents = new float[rows * LatentDim];
        Encode(observations, rows, latents);
        return latents;
    }

    /// <summary>One predictor step for <paramref name="rows"/> latents and actions into <paramref name="next"/>.</summary>
    public void Predict(ReadOnlySpan<float> latents, ReadOnlySpan<float> actions, int rows, Span<float> next)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.AtLeast(rows, 1, nameof(rows));
        Guard.Length(latents.Length, rows * LatentDim, nameof(latents), $"[rows={rows} x Z={LatentDim}]");
        Guard.Length(actions.Length, rows * ActionDim, nameof(actions), $"[rows={rows} x A={ActionDim}]");
        Guard.Length(next.Length, rows * LatentDim, nameof(next), $"[rows={rows} x Z={LatentDim}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = Predictor.call(HostTensors.Upload(latents, [rows, LatentDim], Device), HostTensors.Upload(actions, [rows, ActionDim], Device)).cpu().contiguous();
        z.data<float>().CopyTo(next);
    }


    /// <summary>The predictor's weights for the managed backend.</summary>
    public MlpWeights PredictorWeights() => Predictor.ToWeights();

    /// <summary>Every weight as named checkpoint tensors.</summary>
    public List<NamedTensor> ToTensors()
    {
        var list = new List<NamedTensor>(Encoder.ToTensors(WorldModelCheckpoint.EncoderPrefix));
        list.AddRange(WorldModelCheckpoint.MlpTensors(WorldModelCheckpoint.PredictorPrefix, Predictor.ToWeights()));
        if (InverseDynamics is not null)
            list.AddRange(WorldModelCheckpoint.MlpTensors(WorldModelCheckpoint.InverseDynamicsPrefix, InverseDynamics.ToWeights()));
        return list;
    }

    /// <summary>Writes the checkpoint (<c>model.safetensors</c> + <c>model.json</c>, atomically) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WorldModelCheckpoint.Save(directory, Metadata, ToTensors());
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>; throws <see cref="CheckpointException"/> explaining any mismatch.</summary>
    public static TrainedWorldModel Load(string directory, Device? device = null) => FromCheckpoint(WorldModelCheckpoint.Load(directory), device);

    /// <summary>Builds the Torch modules from an already loaded checkpoint.</summary>
    public static TrainedWorldModel FromCheckpoint(WorldModelCheckpoint checkpoint, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var m = checkpoint.Metadata;
        var encoder = new TorchEncoder(m.Encoder, 0);
        encoder.LoadTensors(WorldModelCheckpoint.EncoderPrefix, checkpoint.Tensors);
        var predictor = new ResidualMlpDynamics(m.LatentDim, m.ActionDim, checkpoint.PredictorMlp());
        var inverse = m.InverseDynamics is null ? null : new TorchMlp(checkpoint.ReadMlp(WorldModelCheckpoint.InverseDynamicsPrefix));
        return new TrainedWorldModel(m, encoder, predictor, inverse, device);
    }

    /// <summary>How training ended (set by <see cref="JepaTrainer"/>; null for a loaded model, whose record is in <see cref="WorldModelMetadata.Training"/>).</summary>
    public TrainingSummary? Summary { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Encoder.Dispose();
        Predictor.Dispose();
        InverseDynamics?.Dispose();
        _mean.Dispose();
        _std.Dispose();
    }
}
