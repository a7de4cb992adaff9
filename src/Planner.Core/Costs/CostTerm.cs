namespace Planner.Costs;

/// <summary>Sizes of one trajectory handed to a cost term.</summary>
/// <param name="Horizon">Steps H.</param>
/// <param name="StateDim">Latent size S.</param>
/// <param name="ActionDim">Action size A.</param>
/// <param name="GoalDim">Goal size G.</param>
public readonly record struct CostShape(int Horizon, int StateDim, int ActionDim, int GoalDim)
{
    /// <summary>The robot (row of the planner's batch) the trajectory belongs to; 0 for a single robot.</summary>
    public int Robot { get; init; }
}

/// <summary>
/// One term of the planning cost (the energy of a candidate plan). A term is data (weights, goal kind, regions) plus a
/// managed implementation of its value and gradient; the Torch backend builds an autograd version of each built-in
/// term from the same data, and tests check that both agree.
/// </summary>
public abstract class CostTerm
{
    /// <summary>
    /// Adds this term's cost of one trajectory and its gradients. <paramref name="states"/> holds the predicted latents
    /// after each action, <c>z_1..z_H</c> as <c>[H x S]</c>; <paramref name="actions"/> is <c>[H x A]</c>;
    /// <paramref name="goal"/> is <c>[G]</c>. Gradients are accumulated (added) into
    /// <paramref name="gradStates"/> <c>[H x S]</c> and <paramref name="gradActions"/> <c>[H x A]</c>.
    /// </summary>
    /// <returns>The term's cost.</returns>
    public abstract float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions);

    /// <summary>Throws when the term cannot work with these sizes (e.g. a keep-out centre longer than the latent).</summary>
    public virtual void Validate(in CostShape shape)
    {
    }
}
