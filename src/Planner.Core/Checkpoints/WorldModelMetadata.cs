using System.Text.Json.Nodes;

namespace Planner.Checkpoints;

/// <summary>
/// The <c>model.json</c> of a world-model checkpoint: format and version, architecture (encoder, predictor, optional
/// inverse-dynamics head), dimensions, observation normalisation, training configuration and the SHA-256 of the
/// weights file. Everything needed to rebuild the networks and check the weights against them.
/// </summary>
public sealed record WorldModelMetadata
{
    /// <summary>The <see cref="Format"/> string of this kind of checkpoint.</summary>
    public const string FormatName = "planner-world-model";

    /// <summary>The version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (<see cref="CurrentVersion"/>).</summary>
    public int FormatVersion { get; init; } = CurrentVersion;

    /// <summary>Observation size O (state vector length, or C*H*W for images).</summary>
    public required int ObservationDim { get; init; }

    /// <summary>Action size A.</summary>
    public required int ActionDim { get; init; }

    /// <summary>Latent size Z.</summary>
    public required int LatentDim { get; init; }

    /// <summary>Observation -> latent network.</summary>
    public required EncoderSpec Encoder { get; init; }

    /// <summary>The residual predictor's MLP, <c>[Z+A, hidden..., Z]</c>: <c>z' = z + MLP([z, a])</c>.</summary>
    public required MlpSpec Predictor { get; init; }

    /// <summary>Optional inverse-dynamics head <c>[2Z, hidden..., A]</c> (auxiliary; not needed for planning).</summary>
    public MlpSpec? InverseDynamics { get; init; }

    /// <summary>Normalisation applied to observations before the encoder.</summary>
    public required ObservationNormalization Normalization { get; init; }

    /// <summary>Name of the weights file inside the checkpoint directory.</summary>
    public string WeightsFile { get; init; } = WorldModelCheckpoint.WeightsFileName;

    /// <summary>Lower-case hex SHA-256 of the weights file.</summary>
    public string WeightsSha256 { get; init; } = "";

    /// <summary>The training configuration and summary (free-form JSON, informational).</summary>
    public JsonObject? Training { get; init; }

    /// <summary>Facts about the training data (environment, layout, observation kind...).</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless the format is known and every dimension agrees: encoder
    /// O -> Z, predictor Z+A -> Z, inverse head 2Z -> A, normalisation length 1 or O.
    /// </summary>
    public void Validate(string source = "model.json")
    {
        if (Format != FormatName)
            throw new CheckpointException($"{source}: format is '{Format}'; expected '{FormatName}'.");
        if (FormatVersion < 1 || FormatVersion > CurrentVersion)
            throw new CheckpointException($"{source}: formatVersion is {FormatVersion}; this build reads versions 1 to {CurrentVersion}.");
        try
        {
            Guard.AtLeast(ObservationDim, 1, nameof(ObservationDim));
            Guard.AtLeast(ActionDim, 1, nameof(ActionDim));
            Guard.AtLeast(LatentDim, 1, nameof(LatentDim));
            if (Encoder is null) throw new ArgumentException("the encoder section is missing.");
            if (Predictor is null) throw new ArgumentException("the predictor section is missing.");
            if (Normalization is null) throw new ArgumentException("the normalization section is missing.");
            Encoder.Validate(nameof(Encoder));
            Predictor.Validate(nameof(Predictor));
            InverseDynamics?.Validate(nameof(InverseDynamics));
            Normalization.Validate(ObservationDim);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{source}: {e.Message}", e);
        }
        Expect(Encoder.InputDim, ObservationDim, "the encoder's input size", "observationDim", source);
        Expect(Encoder.OutputDim, LatentDim, "the encoder's output size", "latentDim", source);
        Expect(Predictor.InputDim, LatentDim + ActionDim, "the predictor's input size", "latentDim + actionDim", source);
        Expect(Predictor.OutputDim, LatentDim, "the predictor's output size", "latentDim", source);
        if (InverseDynamics is not null)
        {
            Expect(InverseDynamics.InputDim, 2 * LatentDim, "the inverse-dynamics head's input size", "2 * latentDim", source);
            Expect(InverseDynamics.OutputDim, ActionDim, "the inverse-dynamics head's output size", "actionDim", source);
        }
    }

    private static void Expect(int actual, int expected, string what, string rule, string source)
    {
        if (actual != expected)
            throw new CheckpointException($"{source}: {what} is {actual}, but {rule} = {expected}.");
    }

    /// <summary>Every tensor the weights file must hold, with its shape.</summary>
    public IEnumerable<(string Name, int[] Shape)> ExpectedTensors()
    {
        foreach (var t in Encoder.Tensors(WorldModelCheckpoint.EncoderPrefix)) yield return t;
        foreach (var t in Predictor.Tensors(WorldModelCheckpoint.PredictorPrefix)) yield return t;
        if (InverseDynamics is not null)
            foreach (var t in InverseDynamics.Tensors(WorldModelCheckpoint.InverseDynamicsPrefix)) yield return t;
    }
}
