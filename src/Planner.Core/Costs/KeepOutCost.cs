namespace Planner.Costs;

/// <summary>
/// A soft keep-out ball in latent (or state) space, the place where safety is programmed:
/// <c>Weight * sum_t max(0, Radius - ||z_t[dims] - Center||)^2</c>. Zero outside the ball, growing quadratically
/// towards its centre, so gradient planners are pushed out and samplers rank intruding plans last.
/// </summary>
public sealed class KeepOutCost : CostTerm
{
    private readonly float[] _center;
    private readonly int[] _dims;

    /// <summary>Creates the term. <paramref name="dimensions"/> picks the latent coordinates (default: the first <c>center.Length</c>).</summary>
    public KeepOutCost(float[] center, float radius, float weight, int[]? dimensions = null)
    {
        ArgumentNullException.ThrowIfNull(center);
        if (center.Length == 0) throw new ArgumentException("center needs at least one coordinate.", nameof(center));
        Guard.Finite(center, nameof(center));
        Guard.Positive(radius, nameof(radius));
        Guard.NonNegative(weight, nameof(weight));
        _dims = dimensions is null ? Enumerable.Range(0, center.Length).ToArray() : (int[])dimensions.Clone();
        Guard.Length(_dims.Length, center.Length, nameof(dimensions), "one latent index per centre coordinate");
        _center = (float[])center.Clone();
        Radius = radius;
        Weight = weight;
    }

    /// <summary>Centre of the ball.</summary>
    public IReadOnlyList<float> Center => _center;

    /// <summary>Latent coordinates the ball lives in.</summary>
    public IReadOnlyList<int> Dimensions => _dims;

    /// <summary>Radius.</summary>
    public float Radius { get; }

    /// <summary>Weight.</summary>
    public float Weight { get; }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        foreach (int d in _dims)
            if (d < 0 || d >= shape.StateDim)
                throw new ArgumentOutOfRangeException("dimensions", d, $"keep-out dimension {d} is outside the latent [0, {shape.StateDim}).");
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int s = shape.StateDim;
        float total = 0;
        for (int t = 0; t < shape.Horizon; t++)
            total += SoftBall.Accumulate(states.Slice(t * s, s), _center, _dims, Radius, Weight, gradStates.IsEmpty ? default : gradStates.Slice(t * s, s));
        return total;
    }
}
