using Planner.Checkpoints;
using Planner.Models;

namespace Planner.Managed;

/// <summary>
/// A world model trained with the Torch backend, loaded for the managed CPU backend from its checkpoint directory:
/// the normalising MLP encoder and the residual predictor. Never loads libtorch. Read-only and thread-safe.
/// </summary>
public sealed class ManagedWorldModel
{
    private ManagedWorldModel(WorldModelMetadata metadata, IEncoder encoder, ResidualMlp predictor)
    {
        Metadata = metadata;
        Encoder = encoder;
        Predictor = predictor;
    }

    /// <summary>The checkpoint's metadata.</summary>
    public WorldModelMetadata Metadata { get; }

    /// <summary>Observation -> latent, with the training data's normalisation applied first.</summary>
    public IEncoder Encoder { get; }

    /// <summary>The latent dynamics <c>z' = z + MLP([z, a])</c>.</summary>
    public ResidualMlp Predictor { get; }

    /// <summary>Loads a checkpoint directory; throws <see cref="InvalidDataException"/> or <see cref="ArgumentException"/> explaining what is wrong.</summary>
    public static ManagedWorldModel Load(string directory) => FromCheckpoint(WorldModelCheckpoint.Load(directory));

    /// <summary>Builds the managed model from a loaded checkpoint.</summary>
    public static ManagedWorldModel FromCheckpoint(WorldModelCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var meta = checkpoint.Metadata;
        if (meta.Encoder.Kind != EncoderKind.Mlp)
            throw new ArgumentException($"the model in '{checkpoint.Directory}' has a {meta.Encoder.Kind} (image) encoder; the managed backend runs MLP encoders only: use the torch backend.", nameof(checkpoint));
        var encoder = new NormalizingEncoder(new MlpEncoder(checkpoint.EncoderMlp()), meta.Normalization);
        var predictor = new ResidualMlp(meta.LatentDim, meta.ActionDim, checkpoint.PredictorMlp());
        return new ManagedWorldModel(meta, encoder, predictor);
    }
}
