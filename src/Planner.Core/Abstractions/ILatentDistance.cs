namespace Planner;

/// <summary>
/// How far a latent is from a goal latent. The straight (L2) distance ignores walls: two places either side of one have
/// close latents. A learned metric (<see cref="Landmarks.LandmarkGraph"/>) measures along the ways the robot can go.
/// Implementations must be allocation-free and thread-safe.
/// </summary>
public interface ILatentDistance
{
    /// <summary>Latent size S.</summary>
    int LatentDim { get; }

    /// <summary>The distance from <paramref name="latent"/> to <paramref name="goal"/> (both <c>[S]</c>).</summary>
    float Distance(ReadOnlySpan<float> latent, ReadOnlySpan<float> goal);
}
