namespace Planner.Costs;

/// <summary>
/// Keeps plans where the world model has seen data: <c>Weight * sum_t max(0, min_k ||z_t - a_k|| - Radius)^2</c> over
/// anchor latents <c>a_k</c> that cover the training data (see <see cref="LatentSupport"/>). A learned model is wrong
/// off its data (in a maze: inside walls), and an optimiser finds exactly those errors: a plan that moves through a
/// wall looks cheap. Predicted latents farther than <see cref="LatentSupport.Radius"/> from every anchor cost quadratically, so
/// planners stay on the data manifold; inside it the term is zero and changes nothing.
/// </summary>
public sealed class DataSupportCost : CostTerm
{
    private readonly float[] _anchors;

    /// <summary>Creates the term from <paramref name="support"/> with a weight.</summary>
    public DataSupportCost(LatentSupport support, float weight)
    {
        ArgumentNullException.ThrowIfNull(support);
        Guard.NonNegative(weight, nameof(weight));
        Support = support;
        _anchors = support.AnchorArray;
        Weight = weight;
    }

    /// <summary>The anchors and radius.</summary>
    public LatentSupport Support { get; }

    /// <summary>Weight.</summary>
    public float Weight { get; }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        if (shape.StateDim != Support.LatentDim)
            throw new ArgumentException($"the data-support anchors have {Support.LatentDim} coordinates, but the planner's latent has {shape.StateDim}.", "support");
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        if (Weight == 0) return 0;
        int s = shape.StateDim;
        float total = 0;
        for (int t = 0; t < shape.Horizon; t++)
        {
            ReadOnlySpan<float> z = states.Slice(t * s, s);
            int nearest = LatentSupport.Nearest(_anchors, z, out float squared);
            float dist = MathF.Sqrt(squared + 1e-12f);
            float excess = dist - Support.Radius;
            if (excess <= 0) continue;
            total += Weight * excess * excess;
            if (gradStates.IsEmpty) continue;
            Span<float> gz = gradStates.Slice(t * s, s);
            ReadOnlySpan<float> a = _anchors.AsSpan(nearest * s, s);
            float scale = 2 * Weight * excess / dist;
            for (int i = 0; i < s; i++) gz[i] += scale * (z[i] - a[i]);
        }
        return total;
    }
}
