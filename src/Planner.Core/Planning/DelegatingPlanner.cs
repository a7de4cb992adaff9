namespace Planner.Planning;

/// <summary>
/// A planner that passes every call to an inner planner: the base for decorators that add something around one
/// call (ownership of the evaluator, logging, recording) and forward the rest.
/// </summary>
public abstract class DelegatingPlanner : IPlanner
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected DelegatingPlanner(IPlanner inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The planner every call goes to.</summary>
    protected IPlanner Inner { get; }

    /// <inheritdoc />
    public int Batch => Inner.Batch;

    /// <inheritdoc />
    public int Horizon => Inner.Horizon;

    /// <inheritdoc />
    public int ActionDim => Inner.ActionDim;

    /// <inheritdoc />
    public int StateDim => Inner.StateDim;

    /// <inheritdoc />
    public int GoalDim => Inner.GoalDim;

    /// <inheritdoc />
    public ReadOnlySpan<float> BestPlan => Inner.BestPlan;

    /// <inheritdoc />
    public ReadOnlySpan<float> SafeAction => Inner.SafeAction;

    /// <inheritdoc />
    public ReadOnlySpan<float> BestCost => Inner.BestCost;

    /// <inheritdoc />
    public virtual PlanStatus Plan(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals) => Inner.Plan(initialLatents, goals);

    /// <inheritdoc />
    public virtual void ShiftWarmStart(int steps) => Inner.ShiftWarmStart(steps);

    /// <inheritdoc />
    public virtual void ResetWarmStart() => Inner.ResetWarmStart();

    /// <summary>Disposes the inner planner.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner planner; override to release more (call the base).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
    }
}
