namespace Planner.Planning;

/// <summary>
/// Optimises action sequences for a fixed batch of B problems through an <see cref="IRolloutEvaluator"/>.
/// Buffers are allocated once at construction; <see cref="Plan"/> allocates nothing in steady state.
/// Not thread-safe: use one planner per thread (they may share a read-only world model).
/// </summary>
public interface IPlanner : IDisposable
{
    /// <summary>Problems B planned per call.</summary>
    int Batch { get; }

    /// <summary>Plan length H.</summary>
    int Horizon { get; }

    /// <summary>Action size A.</summary>
    int ActionDim { get; }

    /// <summary>Latent size S expected by <see cref="Plan"/>.</summary>
    int StateDim { get; }

    /// <summary>Goal size G expected by <see cref="Plan"/>.</summary>
    int GoalDim { get; }

    /// <summary>The best plan of the last call, <c>[B x H x A]</c>, always finite and inside the bounds.</summary>
    ReadOnlySpan<float> BestPlan { get; }

    /// <summary>The action returned where no plan is available, <c>[A]</c>, inside the bounds.</summary>
    ReadOnlySpan<float> SafeAction { get; }

    /// <summary>The cost of each problem's best plan, <c>[B]</c> (+infinity where the plan is a fallback).</summary>
    ReadOnlySpan<float> BestCost { get; }

    /// <summary>
    /// Plans every problem from <paramref name="initialLatents"/> <c>[B x S]</c> towards <paramref name="goals"/> <c>[B x G]</c>,
    /// warm-started from the previous plan. Throws <see cref="ArgumentException"/> on wrong lengths or non-finite inputs.
    /// </summary>
    PlanStatus Plan(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals);

    /// <summary>Shifts the warm start by <paramref name="steps"/> executed steps (the tail repeats the last action).</summary>
    void ShiftWarmStart(int steps);

    /// <summary>Forgets the warm start: the next call starts from the safe action.</summary>
    void ResetWarmStart();
}
