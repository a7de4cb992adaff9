namespace Planner.Planning;

/// <summary>
/// Decides whether one more iteration fits before a wall-clock deadline by predicting its duration from the ones
/// measured so far (this call's and, through <see cref="IterationEstimateMs"/>, earlier calls').
/// </summary>
internal struct DeadlineClock
{
    private readonly long _start;
    private readonly double _budgetMs;
    private long _lastMark;

    /// <summary>Running estimate of one iteration's duration, carried across calls by the planner.</summary>
    public double IterationEstimateMs;

    public DeadlineClock(TimeSpan? deadline, double iterationEstimateMs)
    {
        _start = Stopwatch.GetTimestamp();
        _lastMark = _start;
        _budgetMs = deadline?.TotalMilliseconds ?? double.PositiveInfinity;
        IterationEstimateMs = iterationEstimateMs;
    }

    public readonly double ElapsedMs => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;

    /// <summary>True when the predicted next iteration (with a safety margin) ends before the deadline.</summary>
    public readonly bool HasTimeForIteration()
    {
        if (double.IsPositiveInfinity(_budgetMs)) return true;
        // Margin: iterations vary (cache, scheduler); predict 25% slower plus a fixed 0.05 ms for the finish.
        double predicted = IterationEstimateMs * 1.25 + 0.05;
        return ElapsedMs + predicted < _budgetMs;
    }

    /// <summary>Records the end of an iteration and updates the estimate (fast rise, slow fall: overruns cost more than idling).</summary>
    public void IterationDone()
    {
        long now = Stopwatch.GetTimestamp();
        double ms = Stopwatch.GetElapsedTime(_lastMark, now).TotalMilliseconds;
        _lastMark = now;
        IterationEstimateMs = IterationEstimateMs <= 0 || ms > IterationEstimateMs ? ms : 0.9 * IterationEstimateMs + 0.1 * ms;
    }
}
