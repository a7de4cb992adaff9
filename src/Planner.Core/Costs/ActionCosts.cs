namespace Planner.Costs;

/// <summary>Action magnitude: <c>Weight * sum_t ||a_t||^2</c> (energy use).</summary>
public sealed class ActionMagnitudeCost : CostTerm
{
    /// <summary>Creates the term.</summary>
    public ActionMagnitudeCost(float weight)
    {
        Guard.NonNegative(weight, nameof(weight));
        Weight = weight;
    }

    /// <summary>The weight.</summary>
    public float Weight { get; }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int n = shape.Horizon * shape.ActionDim;
        float sum = 0;
        for (int i = 0; i < n; i++) sum += actions[i] * actions[i];
        if (!gradActions.IsEmpty)
            for (int i = 0; i < n; i++) gradActions[i] += 2 * Weight * actions[i];
        return Weight * sum;
    }
}

/// <summary>Action smoothness: <c>Weight * sum_{t&gt;=1} ||a_t - a_{t-1}||^2</c> (no jerky plans).</summary>
public sealed class ActionSmoothnessCost : CostTerm
{
    /// <summary>Creates the term.</summary>
    public ActionSmoothnessCost(float weight)
    {
        Guard.NonNegative(weight, nameof(weight));
        Weight = weight;
    }

    /// <summary>The weight.</summary>
    public float Weight { get; }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int a = shape.ActionDim;
        float sum = 0;
        for (int t = 1; t < shape.Horizon; t++)
        {
            for (int d = 0; d < a; d++)
            {
                float diff = actions[t * a + d] - actions[(t - 1) * a + d];
                sum += diff * diff;
                if (!gradActions.IsEmpty)
                {
                    gradActions[t * a + d] += 2 * Weight * diff;
                    gradActions[(t - 1) * a + d] -= 2 * Weight * diff;
                }
            }
        }
        return Weight * sum;
    }
}
