using Planner.Environments.Observation;
using Planner.Environments.Physics;

namespace Planner.Environments.Collection;

/// <summary>Settings for <see cref="DataCollector.Collect"/>.</summary>
public sealed record CollectOptions
{
    /// <summary>Episodes E.</summary>
    public int Episodes { get; init; } = 100;

    /// <summary>Steps T per episode (T+1 observations).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>State vector or top-down pixels.</summary>
    public ObservationKind Observation { get; init; } = ObservationKind.State;

    /// <summary>Image side for <see cref="ObservationKind.Pixels"/>.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Seed; episodes are seeded individually, so the data does not depend on thread count.</summary>
    public ulong Seed { get; init; }

    /// <summary>Point-mass dynamics.</summary>
    public PointMassOptions Physics { get; init; } = new();

    /// <summary>Exploration noise.</summary>
    public ExplorationNoise Noise { get; init; } = new();

    /// <summary>Worker threads (at least 1).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        Guard.AtLeast(Episodes, 1, nameof(Episodes));
        Guard.AtLeast(Steps, 1, nameof(Steps));
        if (!Enum.IsDefined(Observation))
            throw new ArgumentOutOfRangeException(nameof(Observation), Observation, $"{nameof(Observation)} must be State or Pixels, got {Observation}.");
        Guard.AtLeast(ImageSize, 8, nameof(ImageSize));
        Guard.AtLeast(MaxParallelism, 1, nameof(MaxParallelism));
        ArgumentNullException.ThrowIfNull(Physics);
        ArgumentNullException.ThrowIfNull(Noise);
        Physics.Validate();
        Noise.Validate();
        long floats = (long)Episodes * (Steps + 1) * (Observation == ObservationKind.Pixels ? ImageSize * ImageSize : 4);
        if (floats > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(Episodes), Episodes,
                $"{Episodes} episodes x {Steps + 1} observations need {floats} floats, more than one array holds ({Array.MaxLength}); collect fewer episodes per file.");
    }
}

/// <summary>
/// Temporally correlated random actions: per step an Ornstein-Uhlenbeck update
/// <c>a += Theta * (0 - a) + Sigma * N(0, 1)</c> per component, and with probability <see cref="ResampleProbability"/>
/// a fresh uniform action in [-1, 1]^2 (a change of mind); the result is clamped to [-1, 1].
/// </summary>
public sealed record ExplorationNoise
{
    /// <summary>Mean reversion per step (0..1]; correlation time about 1/Theta steps.</summary>
    public float Theta { get; init; } = 0.15f;

    /// <summary>Noise scale per step.</summary>
    public float Sigma { get; init; } = 0.3f;

    /// <summary>Chance per step of jumping to a fresh uniform random action.</summary>
    public float ResampleProbability { get; init; } = 0.05f;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        Guard.InRange(Theta, 0, 1, nameof(Theta));
        Guard.NonNegative(Sigma, nameof(Sigma));
        Guard.InRange(ResampleProbability, 0, 1, nameof(ResampleProbability));
    }
}
