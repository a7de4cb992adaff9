using Planner.Models;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// Options of <see cref="MacroActionTrainer"/>: one macro level (level k &gt;= 1) at time-scale tau. Defaults train on
/// two-rooms/four-rooms state data (a few hundred episodes of 100 steps) on two CPU cores in well under a minute (four-rooms, 300 x 100 steps: 60 epochs in 8.7 s).
/// </summary>
public sealed record MacroLevelOptions
{
    /// <summary>Level index k (&gt;= 1), recorded in the checkpoint.</summary>
    public int Level { get; init; } = 1;

    /// <summary>Base steps per step of this level, tau (e.g. 8 for level 1, 32 for level 2).</summary>
    public int TimeScale { get; init; } = 8;

    /// <summary>Macro-action size M (the planner of this level searches [-1, 1]^M).</summary>
    public int MacroActionDim { get; init; } = 4;

    /// <summary>Hidden sizes of the macro-action encoder <c>tau*A -&gt; hidden... -&gt; M</c> (tanh on the output).</summary>
    public int[] EncoderHidden { get; init; } = [64];

    /// <summary>Hidden sizes of the level's predictor <c>z' = z + MLP([z, m])</c>.</summary>
    public int[] PredictorHidden { get; init; } = [128, 128];

    /// <summary>
    /// Predictors K trained over the one macro-action encoder (an ensemble; each starts from its own random weights).
    /// Planning scores a macro plan under every member (<c>Planner.Ensembles.EnsembleRolloutEvaluator</c>), so the
    /// upper planner cannot exploit one model's errors. Training costs about K times the predictor's share.
    /// </summary>
    public int EnsembleSize { get; init; } = 1;

    /// <summary>Hidden activation of both networks.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>
    /// Macro steps K of the multi-step rollout loss (a training window spans K*tau base steps). Clamped to
    /// <c>T / tau</c> when the episodes are shorter.
    /// </summary>
    public int RolloutSteps { get; init; } = 4;

    /// <summary>Windows per batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>
    /// Training windows per epoch, drawn without replacement from all windows (one starts at every base step); 0 uses
    /// every window each epoch.
    /// </summary>
    public int WindowsPerEpoch { get; init; } = 4096;

    /// <summary>Stop after this many epochs without a better validation error (0: never stop early).</summary>
    public int Patience { get; init; } = 15;

    /// <summary>Stop after this wall-clock time (null: no limit); the best weights so far are kept.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay (AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip the gradient norm to this (0: no clipping).</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>
    /// Weight of the mean squared pre-tanh macro-action: keeps the encoder out of tanh saturation, so the data's
    /// macro-actions fill the inside of [-1, 1]^M that the planner searches rather than its corners.
    /// </summary>
    public double SaturationWeight { get; init; } = 0.01;

    /// <summary>
    /// Standard deviation of Gaussian noise added to the encoded macro-actions during training (0: none). A noisy
    /// channel makes the encoder spread the data's macro-actions over the box and trains the predictor on the region
    /// around them, so that the macro-actions a planner picks anywhere in the box lead to plausible predictions
    /// instead of exploiting the predictor where no data was (e.g. through walls).
    /// </summary>
    public double MacroNoise { get; init; }

    /// <summary>
    /// Fraction of each training batch replaced by imagined windows (0: none): a window's start latent with the action
    /// chunks of another window of the batch, its targets rolled out by the frozen level-0 predictor. The data pairs
    /// each place with the moves the robot happened to make there; imagined windows pair it with moves made elsewhere
    /// (into a wall from every point along it, say), which the level-0 model, trained one step at a time on far more
    /// pairs, predicts better than the macro model can guess them.
    /// </summary>
    public double ImaginedFraction { get; init; }

    /// <summary>Fraction of episodes held out for validation (split by episode).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of initial weights, the split and the shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// libtorch intra-op threads (process-wide; 0 leaves the current setting). Default 1: these networks are too small
    /// for libtorch's threading to pay (measured: 60 epochs of the four-rooms level in 8.9 s with 1 thread, 152-256 s
    /// with 2 threads on the loaded 2-core machine). Results are reproducible for a fixed count.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>Device to train on (null: the level-0 model's device).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws unless every option is in range.</summary>
    public void Validate()
    {
        Guard.AtLeast(Level, 1, nameof(Level));
        Guard.AtLeast(TimeScale, 1, nameof(TimeScale));
        Guard.AtLeast(MacroActionDim, 1, nameof(MacroActionDim));
        Guard.AtLeast(RolloutSteps, 1, nameof(RolloutSteps));
        Guard.AtLeast(EnsembleSize, 1, nameof(EnsembleSize));
        Guard.AtLeast(BatchSize, 1, nameof(BatchSize));
        Guard.AtLeast(Epochs, 1, nameof(Epochs));
        Guard.AtLeast(WindowsPerEpoch, 0, nameof(WindowsPerEpoch));
        Guard.AtLeast(Patience, 0, nameof(Patience));
        Guard.AtLeast(Threads, 0, nameof(Threads));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.NonNegative(GradientClip, nameof(GradientClip));
        Guard.NonNegative(SaturationWeight, nameof(SaturationWeight));
        Guard.NonNegative(MacroNoise, nameof(MacroNoise));
        Guard.InRange(ImaginedFraction, 0, 1, nameof(ImaginedFraction));
        Guard.InRange(ValidationFraction, 0, 0.9, nameof(ValidationFraction));
        CheckSizes(EncoderHidden, nameof(EncoderHidden));
        CheckSizes(PredictorHidden, nameof(PredictorHidden));
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"{nameof(Activation)} must be Relu, Tanh or Silu, got {Activation}.");
        if (MaxDuration is { } d && d <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxDuration), d, $"MaxDuration must be positive, got {d}.");
    }

    private static void CheckSizes(int[] sizes, string name)
    {
        ArgumentNullException.ThrowIfNull(sizes, name);
        for (int i = 0; i < sizes.Length; i++) Guard.AtLeast(sizes[i], 1, $"{name}[{i}]");
    }
}
