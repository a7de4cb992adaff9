using Planner.Torch.Runtime;
using Planner.Checkpoints;
using Planner.Models;
using Planner.Torch.Models;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// A trained macro level (level k &gt;= 1): the macro-action encoder (tau base actions -&gt; m in [-1, 1]^M) and the
/// level's residual predictor <c>z_{t+tau} = z_t + MLP([z_t, m])</c> in the level-0 latent space. Saves to and loads
/// from a <see cref="LevelCheckpoint"/> directory. For CPU planning at this level use
/// <c>new ResidualMlp(LatentDim, MacroActionDim, PredictorWeights())</c>. Holds native memory: dispose it.
/// </summary>
public sealed class TrainedMacroLevel : IDisposable
{
    private bool _disposed;

    /// <summary>Assembles a level with one predictor from its parts; the metadata must describe them.</summary>
    public TrainedMacroLevel(LevelMetadata metadata, MacroActionEncoder macroEncoder, ResidualMlpDynamics predictor, Device? device = null)
        : this(metadata, macroEncoder, [predictor ?? throw new ArgumentNullException(nameof(predictor))], device)
    {
    }

    /// <summary>
    /// Assembles a level whose <paramref name="predictors"/> form an ensemble over the one macro-action space
    /// (<see cref="LevelMetadata.EnsembleSize"/> of them); the metadata must describe them.
    /// </summary>
    public TrainedMacroLevel(LevelMetadata metadata, MacroActionEncoder macroEncoder, IReadOnlyList<ResidualMlpDynamics> predictors, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(macroEncoder);
        ArgumentNullException.ThrowIfNull(predictors);
        metadata.Validate("metadata");
        if (macroEncoder.ChunkDim != metadata.ChunkDim || macroEncoder.MacroActionDim != metadata.MacroActionDim)
            throw new ArgumentException($"the macro encoder maps {macroEncoder.ChunkDim} -> {macroEncoder.MacroActionDim}; the metadata says {metadata.ChunkDim} -> {metadata.MacroActionDim}.", nameof(macroEncoder));
        if (predictors.Count != metadata.EnsembleSize)
            throw new ArgumentException($"{predictors.Count} predictor(s) given; the metadata says ensembleSize = {metadata.EnsembleSize}.", nameof(predictors));
        foreach (var predictor in predictors)
        {
            ArgumentNullException.ThrowIfNull(predictor, nameof(predictors));
            if (predictor.StateDim != metadata.LatentDim || predictor.ActionDim != metadata.MacroActionDim)
                throw new ArgumentException($"a predictor has S={predictor.StateDim}, A={predictor.ActionDim}; the metadata says S={metadata.LatentDim}, M={metadata.MacroActionDim}.", nameof(predictors));
        }
        Metadata = metadata;
        MacroEncoder = macroEncoder;
        Predictors = [.. predictors];
        Device = device ?? CPU;
        macroEncoder.to(Device);
        macroEncoder.eval();
        foreach (var predictor in Predictors)
        {
            predictor.to(Device);
            predictor.eval();
        }
    }

    /// <summary>Sizes, time-scale, level-0 fingerprint and training record.</summary>
    public LevelMetadata Metadata { get; }

    /// <summary>Chunk of tau base actions -&gt; macro-action in [-1, 1]^M.</summary>
    public MacroActionEncoder MacroEncoder { get; }

    /// <summary>The level's predictor over macro-actions (member 0 of an ensemble); usable directly as an <see cref="ITorchDynamics"/> for planning.</summary>
    public ResidualMlpDynamics Predictor => Predictors[0];

    /// <summary>Every predictor of the ensemble (one unless trained with <see cref="MacroLevelOptions.EnsembleSize"/> &gt; 1).</summary>
    public IReadOnlyList<ResidualMlpDynamics> Predictors { get; }

    /// <summary>Where the parameters live.</summary>
    public Device Device { get; }

    /// <summary>Level index k.</summary>
    public int Level => Metadata.Level;

    /// <summary>Base steps per step of this level, tau.</summary>
    public int TimeScale => Metadata.TimeScale;

    /// <summary>Macro-action size M.</summary>
    public int MacroActionDim => Metadata.MacroActionDim;

    /// <summary>Latent size S.</summary>
    public int LatentDim => Metadata.LatentDim;

    /// <summary>Base action size A.</summary>
    public int BaseActionDim => Metadata.BaseActionDim;

    /// <summary>Floats per chunk: tau x A.</summary>
    public int ChunkDim => Metadata.ChunkDim;

    /// <summary>How training ended (null for a loaded level; its record is in <see cref="LevelMetadata.Training"/>).</summary>
    public TrainingSummary? Summary { get; init; }

    /// <summary>Encodes <paramref name="rows"/> chunks <c>[rows x tau*A]</c> (time-major) into macro-actions <c>[rows x M]</c>.</summary>
    public void EncodeMacroActions(ReadOnlySpan<float> chunks, int rows, Span<float> macroActions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.AtLeast(rows, 1, nameof(rows));
        Guard.Length(chunks.Length, rows * ChunkDim, nameof(chunks), $"[rows={rows} x tau*A={ChunkDim}]");
        Guard.Length(macroActions.Length, rows * MacroActionDim, nameof(macroActions), $"[rows={rows} x M={MacroActionDim}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var m = MacroEncoder.call(HostTensors.Upload(chunks, [rows, ChunkDim], Device)).cpu().contiguous();
        m.data<float>().CopyTo(macroActions);
    }

    /// <summary>One macro step for <paramref name="rows"/> latents <c>[rows x S]</c> and macro-actions <c>[rows x M]</c> into <paramref name="next"/>.</summary>
    public void Predict(ReadOnlySpan<float> latents, ReadOnlySpan<float> macroActions, int rows, Span<float> next)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.AtLeast(rows, 1, nameof(rows));
        Guard.Length(latents.Length, rows * LatentDim, nameof(latents), $"[rows={rows} x S={LatentDim}]");
        Guard.Length(macroActions.Length, rows * MacroActionDim, nameof(macroActions), $"[rows={rows} x M={MacroActionDim}]");
        Guard.Length(next.Length, rows * LatentDim, nameof(next), $"[rows={rows} x S={LatentDim}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = Predictor.call(HostTensors.Upload(latents, [rows, LatentDim], Device), HostTensors.Upload(macroActions, [rows, MacroActionDim], Device)).cpu().contiguous();
        z.data<float>().CopyTo(next);
    }


    /// <summary>The predictor's weights for the managed backend (<c>new ResidualMlp(S, M, weights)</c>).</summary>
    public MlpWeights PredictorWeights() => Predictor.ToWeights();

    /// <summary>
    /// The predictor (ensemble member <paramref name="member"/>) as a managed (CPU, SIMD, libtorch-free) model for
    /// <c>ManagedRolloutEvaluator</c> and <c>DynamicsPredictor</c>.
    /// </summary>
    public ResidualMlp ToManaged(int member = 0) => new(LatentDim, MacroActionDim, Predictors[member].ToWeights());

    /// <summary>The macro encoder's weights (tanh follows them).</summary>
    public MlpWeights MacroEncoderWeights() => MacroEncoder.ToWeights();

    /// <summary>Every weight as named checkpoint tensors.</summary>
    public List<NamedTensor> ToTensors()
    {
        var list = new List<NamedTensor>(WorldModelCheckpoint.MlpTensors(LevelCheckpoint.MacroEncoderPrefix, MacroEncoder.ToWeights()));
        for (int k = 0; k < Predictors.Count; k++)
            list.AddRange(WorldModelCheckpoint.MlpTensors(LevelCheckpoint.PredictorPrefixOf(k), Predictors[k].ToWeights()));
        return list;
    }

    /// <summary>Writes <c>level.safetensors</c> + <c>level.json</c> atomically into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LevelCheckpoint.Save(directory, Metadata, ToTensors());
    }

    /// <summary>Loads a level written by <see cref="Save"/>; throws <see cref="CheckpointException"/> explaining any problem.</summary>
    public static TrainedMacroLevel Load(string directory, Device? device = null) => FromCheckpoint(LevelCheckpoint.Load(directory), device);

    /// <summary>
    /// Loads a level and checks that it belongs to <paramref name="level0"/> (latent and action sizes, encoder
    /// fingerprint); throws <see cref="CheckpointException"/> otherwise.
    /// </summary>
    public static TrainedMacroLevel Load(string directory, TrainedWorldModel level0, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(level0);
        var checkpoint = LevelCheckpoint.Load(directory);
        checkpoint.CheckBase(level0.Metadata, BaseFingerprint(level0));
        return FromCheckpoint(checkpoint, device ?? level0.Device);
    }

    /// <summary>Builds the Torch modules from a loaded checkpoint.</summary>
    public static TrainedMacroLevel FromCheckpoint(LevelCheckpoint checkpoint, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var m = checkpoint.Metadata;
        var encoder = new MacroActionEncoder(checkpoint.MacroEncoderMlp());
        var predictors = new ResidualMlpDynamics[m.EnsembleSize];
        for (int k = 0; k < predictors.Length; k++) predictors[k] = new ResidualMlpDynamics(m.LatentDim, m.MacroActionDim, checkpoint.PredictorMlp(k));
        return new TrainedMacroLevel(m, encoder, predictors, device);
    }

    /// <summary>The <see cref="LevelCheckpoint.EncoderFingerprint"/> of a level-0 model (identifies its latent space).</summary>
    public static string BaseFingerprint(TrainedWorldModel level0)
    {
        ArgumentNullException.ThrowIfNull(level0);
        return LevelCheckpoint.EncoderFingerprint(level0.Encoder.ToTensors(WorldModelCheckpoint.EncoderPrefix), level0.Normalization);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        MacroEncoder.Dispose();
        foreach (var predictor in Predictors) predictor.Dispose();
    }
}
