namespace Planner.Environments.Physics;

/// <summary>
/// Point-mass dynamics settings. One step (semi-implicit Euler): <c>v = clampSpeed((v + Acceleration * a * dt) * (1 - Damping * dt))</c>,
/// then the position moves by <c>v * dt</c> with swept collision against wall cells (x first, then y); a blocked axis
/// loses its velocity component.
/// </summary>
public sealed record PointMassOptions
{
    /// <summary>Seconds per step.</summary>
    public float TimeStep { get; init; } = 0.1f;

    /// <summary>Acceleration (world units / s^2) produced by an action component of 1.</summary>
    public float Acceleration { get; init; } = 6f;

    /// <summary>Linear damping per second; the velocity is multiplied by <c>1 - Damping * TimeStep</c> each step.</summary>
    public float Damping { get; init; } = 1f;

    /// <summary>Speed limit (world units / s); faster velocities are scaled down to it.</summary>
    public float MaxSpeed { get; init; } = 3f;

    /// <summary>Radius of the point (world units, cells are 1 unit); the agent's square of half-size Radius never overlaps a wall.</summary>
    public float Radius { get; init; } = 0.1f;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Guard.Positive(TimeStep, nameof(TimeStep));
        Guard.NonNegative(Acceleration, nameof(Acceleration));
        Guard.NonNegative(Damping, nameof(Damping));
        Guard.InRange(Damping * TimeStep, 0, 1, $"{nameof(Damping)} * {nameof(TimeStep)}");
        Guard.Positive(MaxSpeed, nameof(MaxSpeed));
        Guard.InRange(Radius, 0, 0.45, nameof(Radius));
    }
}
