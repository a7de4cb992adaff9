namespace Planner.Planning;

/// <summary>Why a plan call stopped iterating.</summary>
public enum PlanStopReason
{
    /// <summary>The iteration budget was used up.</summary>
    IterationBudget,

    /// <summary>The cost stopped improving (relative change below the tolerance) for every problem.</summary>
    Converged,

    /// <summary>The next iteration was predicted to overrun the wall-clock deadline.</summary>
    Deadline,
}

/// <summary>What one plan call did. A value type: returning it allocates nothing.</summary>
/// <param name="Iterations">Optimiser iterations completed.</param>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Degraded">True when some problem's plan had no finite cost and a fallback (previous plan shifted, or the safe action) was returned instead.</param>
/// <param name="DegradedProblems">How many problems fell back.</param>
/// <param name="ElapsedMilliseconds">Wall-clock time of the call.</param>
/// <param name="ModelEvaluations">World-model steps (forward plus backward) the call ran.</param>
public readonly record struct PlanStatus(
    int Iterations,
    PlanStopReason Reason,
    bool Degraded,
    int DegradedProblems,
    double ElapsedMilliseconds,
    long ModelEvaluations);
