using System.Text.Json.Nodes;

namespace Planner.Checkpoints;

/// <summary>
/// The <c>level.json</c> of a macro level (level k &gt;= 1 of a hierarchy): its time-scale tau, the macro-action
/// encoder <c>m = tanh(MLP(chunk))</c> that compresses tau base actions (tau x A floats) into M values in [-1, 1], and
/// the level's residual predictor <c>z_{t+tau} = z_t + MLP([z_t, m])</c> in the level-0 latent space, plus the
/// fingerprint of the level-0 encoder that defines that space.
/// </summary>
public sealed record LevelMetadata
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "planner-macro-level";

    /// <summary>The newest format version this build writes and reads (2 added <see cref="EnsembleSize"/>).</summary>
    public const int CurrentVersion = 2;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (1 or 2).</summary>
    public int FormatVersion { get; init; } = CurrentVersion;

    /// <summary>Level index k (&gt;= 1).</summary>
    public required int Level { get; init; }

    /// <summary>Base steps per step of this level, tau.</summary>
    public required int TimeScale { get; init; }

    /// <summary>Size A of a base (primitive) action.</summary>
    public required int BaseActionDim { get; init; }

    /// <summary>Size M of a macro-action.</summary>
    public required int MacroActionDim { get; init; }

    /// <summary>Latent size S (the level-0 encoder's output).</summary>
    public required int LatentDim { get; init; }

    /// <summary>Macro-action encoder <c>[tau*A, hidden..., M]</c>; tanh follows the last layer.</summary>
    public required MlpSpec MacroEncoder { get; init; }

    /// <summary>Predictor MLP <c>[S+M, hidden..., S]</c> of <c>z' = z + MLP([z, m])</c>.</summary>
    public required MlpSpec Predictor { get; init; }

    /// <summary>
    /// Number K of predictors over the one macro-action space (an ensemble, all with the <see cref="Predictor"/>
    /// architecture, stored under <see cref="LevelCheckpoint.PredictorPrefixOf"/>); 1 in version-1 files.
    /// </summary>
    public int EnsembleSize { get; init; } = 1;

    /// <summary>
    /// <see cref="LevelCheckpoint.EncoderFingerprint"/> of the level-0 encoder this level was trained on (empty: not
    /// recorded). A level is meaningless with another encoder: the latent space would differ.
    /// </summary>
    public string BaseEncoderSha256 { get; init; } = "";

    /// <summary>Name of the weights file beside <c>level.json</c>.</summary>
    public string WeightsFile { get; init; } = LevelCheckpoint.WeightsFileName;

    /// <summary>SHA-256 (lower-case hex) of the weights file.</summary>
    public string WeightsSha256 { get; init; } = "";

    /// <summary>Training options and outcome (free-form).</summary>
    public JsonObject? Training { get; init; }

    /// <summary>Facts about the training data (layout, observation kind...).</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>Floats of one macro-action chunk: tau x A.</summary>
    public int ChunkDim => TimeScale * BaseActionDim;

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless the format is known and the sizes agree: encoder tau*A -&gt; M,
    /// predictor S+M -&gt; S.
    /// </summary>
    public void Validate(string source = LevelCheckpoint.MetadataFileName)
    {
        if (Format != FormatName)
            throw new CheckpointException($"{source}: format is '{Format}'; expected '{FormatName}'.");
        if (FormatVersion < 1 || FormatVersion > CurrentVersion)
            throw new CheckpointException($"{source}: formatVersion is {FormatVersion}; this build reads versions 1 to {CurrentVersion}.");
        try
        {
            Guard.AtLeast(Level, 1, nameof(Level));
            Guard.AtLeast(TimeScale, 1, nameof(TimeScale));
            Guard.AtLeast(BaseActionDim, 1, nameof(BaseActionDim));
            Guard.AtLeast(MacroActionDim, 1, nameof(MacroActionDim));
            Guard.AtLeast(LatentDim, 1, nameof(LatentDim));
            Guard.AtLeast(EnsembleSize, 1, nameof(EnsembleSize));
            if (MacroEncoder is null) throw new ArgumentException("the macroEncoder section is missing.");
            if (Predictor is null) throw new ArgumentException("the predictor section is missing.");
            MacroEncoder.Validate(nameof(MacroEncoder));
            Predictor.Validate(nameof(Predictor));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{source}: {e.Message}", e);
        }
        Expect(MacroEncoder.InputDim, ChunkDim, "the macro encoder's input size", "timeScale * baseActionDim", source);
        Expect(MacroEncoder.OutputDim, MacroActionDim, "the macro encoder's output size", "macroActionDim", source);
        Expect(Predictor.InputDim, LatentDim + MacroActionDim, "the predictor's input size", "latentDim + macroActionDim", source);
        Expect(Predictor.OutputDim, LatentDim, "the predictor's output size", "latentDim", source);
    }

    private static void Expect(int actual, int expected, string what, string rule, string source)
    {
        if (actual != expected)
            throw new CheckpointException($"{source}: {what} is {actual}, but {rule} = {expected}.");
    }

    /// <summary>Every tensor the weights file must hold, with its shape.</summary>
    public IEnumerable<(string Name, int[] Shape)> ExpectedTensors()
    {
        foreach (var t in MacroEncoder.Tensors(LevelCheckpoint.MacroEncoderPrefix)) yield return t;
        for (int k = 0; k < EnsembleSize; k++)
            foreach (var t in Predictor.Tensors(LevelCheckpoint.PredictorPrefixOf(k))) yield return t;
    }
}
