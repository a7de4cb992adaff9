namespace Planner.Environments.Observation;

/// <summary>What an agent sees.</summary>
public enum ObservationKind
{
    /// <summary>
    /// The normalised state vector (4 floats): <c>[x / Width, y / Height, vx / MaxSpeed, vy / MaxSpeed]</c>, so
    /// positions lie in [0, 1] and velocities in [-1, 1].
    /// </summary>
    State = 0,

    /// <summary>A top-down grayscale image (<c>ImageSize x ImageSize</c> floats in [0, 1], row-major, row 0 at the top): see <see cref="TopDownRenderer"/>.</summary>
    Pixels = 1,
}
