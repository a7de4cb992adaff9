using Planner.Checkpoints;
using Planner.Models;

namespace Planner.Torch.Training;

/// <summary>How the prediction targets are embedded.</summary>
public enum TargetEncoderMode
{
    /// <summary>The online encoder with its gradient stopped (SimSiam/BYOL style; the VICReg terms prevent collapse).</summary>
    StopGradient,

    /// <summary>An exponential moving average of the online encoder (<see cref="JepaOptions.EmaDecay"/>), no gradient.</summary>
    Ema,

    /// <summary>The online encoder with gradients through both branches (PLDM); relies entirely on the VICReg terms.</summary>
    Shared,
}

/// <summary>
/// Options of <see cref="JepaTrainer"/>. Defaults train a state-observation model (200 episodes x 64 steps) on two CPU
/// cores in about a minute; image observations switch to a small CNN encoder automatically.
/// </summary>
public sealed record JepaOptions
{
    /// <summary>Latent size Z.</summary>
    public int LatentDim { get; init; } = 16;

    /// <summary>Encoder kind; null chooses <see cref="EncoderKind.Conv"/> for images (see <see cref="ImageHeight"/>) and <see cref="EncoderKind.Mlp"/> otherwise.</summary>
    public EncoderKind? Encoder { get; init; }

    /// <summary>Hidden sizes of the MLP encoder.</summary>
    public int[] EncoderHidden { get; init; } = [64, 64];

    /// <summary>Hidden sizes of the residual predictor <c>z' = z + MLP([z, a])</c>.</summary>
    public int[] PredictorHidden { get; init; } = [64, 64];

    /// <summary>Hidden activation of every network.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>
    /// Image height for the CNN encoder; 0 takes the shape from <see cref="Planner.Data.TrajectoryDataset.ObservationShape"/>
    /// (<c>[H, W]</c> or <c>[C, H, W]</c>), else <c>imageHeight</c>/<c>imageWidth</c> in the dataset metadata, else treats a
    /// square observation of at least 16x16 values as a one-channel image.
    /// </summary>
    public int ImageHeight { get; init; }

    /// <summary>Image width (0: see <see cref="ImageHeight"/>).</summary>
    public int ImageWidth { get; init; }

    /// <summary>Image channels (grayscale: 1).</summary>
    public int ImageChannels { get; init; } = 1;

    /// <summary>Output channels of the CNN's convolutions (each kernel 4, stride 2, padding 1: halves the image).</summary>
    public int[] ConvChannels { get; init; } = [8, 16, 32, 32];

    /// <summary>Hidden sizes of the CNN's MLP head.</summary>
    public int[] ConvHeadHidden { get; init; } = [256];

    /// <summary>Prediction steps k: the predictor is rolled k steps from each z_t with the real actions.</summary>
    public int PredictionSteps { get; init; } = 16;

    /// <summary>Steps per training chunk L (>= <see cref="PredictionSteps"/>); every step of a chunk is a start, each frame is encoded once.</summary>
    public int ChunkSteps { get; init; } = 16;

    /// <summary>Chunks per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Maximum epochs (an epoch samples about T/L chunks per training episode).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Stop after this many epochs without a better validation error (0: never stop early); the learning rate halves after half as many.</summary>
    public int Patience { get; init; } = 20;

    /// <summary>Stop after this wall-clock time (null: no limit); the best weights so far are kept.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Decoupled weight decay (AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip the gradient norm to this (0: no clipping).</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>
    /// How targets are embedded. Default <see cref="TargetEncoderMode.Shared"/> (PLDM): on two-rooms it halved the
    /// 16-step prediction ratio of stop-gradient for states (0.056 vs 0.109) and beat it for pixels (0.31 vs 0.33).
    /// </summary>
    public TargetEncoderMode Target { get; init; } = TargetEncoderMode.Shared;

    /// <summary>EMA decay of the target encoder when <see cref="Target"/> is <see cref="TargetEncoderMode.Ema"/>.</summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Weight of the multi-step latent prediction loss.</summary>
    public double PredictionWeight { get; init; } = 1.0;

    /// <summary>Weight of the VICReg variance hinge (per-dimension std >= 1).</summary>
    public double VarianceWeight { get; init; } = 1.0;

    /// <summary>Weight of the VICReg covariance term (off-diagonal covariance squared / Z).</summary>
    public double CovarianceWeight { get; init; } = 0.04;

    /// <summary>Weight of the inverse-dynamics head <c>[z_t, z_t+1] -&gt; a_t</c> (0: no head).</summary>
    public double InverseDynamicsWeight { get; init; }

    /// <summary>Hidden sizes of the inverse-dynamics head.</summary>
    public int[] InverseDynamicsHidden { get; init; } = [64];

    /// <summary>Fraction of episodes held out for validation (split by episode).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of initial weights, the split and the shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// libtorch intra-op threads, set process-wide (0 leaves the current setting). Default 1: for these small networks
    /// libtorch's threading costs more than it saves (measured 16x slower with 2 threads on a loaded 2-core machine).
    /// Results are reproducible for a fixed count.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>Device to train on (null: CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws unless every option is in range.</summary>
    public void Validate()
    {
        Guard.AtLeast(LatentDim, 1, nameof(LatentDim));
        Guard.AtLeast(PredictionSteps, 1, nameof(PredictionSteps));
        Guard.AtLeast(ChunkSteps, PredictionSteps, nameof(ChunkSteps));
        Guard.AtLeast(BatchSize, 1, nameof(BatchSize));
        Guard.AtLeast(Epochs, 1, nameof(Epochs));
        Guard.AtLeast(Patience, 0, nameof(Patience));
        Guard.AtLeast(ImageHeight, 0, nameof(ImageHeight));
        Guard.AtLeast(ImageWidth, 0, nameof(ImageWidth));
        Guard.AtLeast(ImageChannels, 1, nameof(ImageChannels));
        Guard.AtLeast(Threads, 0, nameof(Threads));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.NonNegative(GradientClip, nameof(GradientClip));
        Guard.InRange(EmaDecay, 0, 1, nameof(EmaDecay));
        Guard.NonNegative(PredictionWeight, nameof(PredictionWeight));
        Guard.NonNegative(VarianceWeight, nameof(VarianceWeight));
        Guard.NonNegative(CovarianceWeight, nameof(CovarianceWeight));
        Guard.NonNegative(InverseDynamicsWeight, nameof(InverseDynamicsWeight));
        Guard.InRange(ValidationFraction, 0, 0.9, nameof(ValidationFraction));
        CheckSizes(EncoderHidden, nameof(EncoderHidden));
        CheckSizes(PredictorHidden, nameof(PredictorHidden));
        CheckSizes(ConvChannels, nameof(ConvChannels));
        CheckSizes(ConvHeadHidden, nameof(ConvHeadHidden));
        CheckSizes(InverseDynamicsHidden, nameof(InverseDynamicsHidden));
        if (MaxDuration is { } d && d <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxDuration), d, $"MaxDuration must be positive, got {d}.");
    }

    private static void CheckSizes(int[] sizes, string name)
    {
        ArgumentNullException.ThrowIfNull(sizes, name);
        for (int i = 0; i < sizes.Length; i++) Guard.AtLeast(sizes[i], 1, $"{name}[{i}]");
    }
}
