namespace Planner.Costs;

/// <summary>The planning cost: a sum of terms (fixed intrinsic ones such as goal distance and safety, and trainable ones).</summary>
public sealed class CostFunction
{
    private readonly CostTerm[] _terms;

    /// <summary>Creates a cost from terms; at least one.</summary>
    public CostFunction(params CostTerm[] terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Length == 0) throw new ArgumentException("a cost needs at least one term.", nameof(terms));
        for (int i = 0; i < terms.Length; i++)
            if (terms[i] is null) throw new ArgumentNullException(nameof(terms), $"terms[{i}] is null.");
        _terms = (CostTerm[])terms.Clone();
    }

    /// <summary>The terms, in order.</summary>
    public IReadOnlyList<CostTerm> Terms => _terms;

    /// <summary>The synthetic benchmark's cost: <c>sum_t ||z_t - goal||^2 + actionWeight * ||a_t||^2</c>.</summary>
    public static CostFunction Quadratic(float actionWeight = 1e-3f) =>
        new(new GoalDistanceCost(DistanceKind.SquaredL2, 1f, 1f), new ActionMagnitudeCost(actionWeight));

    /// <summary>Checks every term against the sizes.</summary>
    public void Validate(in CostShape shape)
    {
        foreach (var term in _terms) term.Validate(shape);
    }

    /// <summary>Sum of the terms for one trajectory; gradients are accumulated (see <see cref="CostTerm.Accumulate"/>).</summary>
    public float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        float total = 0;
        for (int i = 0; i < _terms.Length; i++) total += _terms[i].Accumulate(shape, states, actions, goal, gradStates, gradActions);
        return total;
    }
}
