using Planner.Numerics;

namespace Planner.Planning;

/// <summary>
/// What every planner shares: validation, warm start, best-plan tracking, the deadline, and the fallback that keeps
/// non-finite values out of the returned plan. Subclasses implement <see cref="Optimize"/> only.
/// </summary>
public abstract class PlannerBase : IPlanner
{
    /// <summary>The evaluator scoring candidates.</summary>
    protected IRolloutEvaluator Evaluator { get; }

    /// <summary>Shared settings.</summary>
    protected PlanningOptions Options { get; }

    /// <summary>The action bounds (unbounded when none were given).</summary>
    protected ActionBounds Bounds { get; }

    /// <summary>Warm start / nominal plan, <c>[B x H x A]</c>.</summary>
    protected float[] Nominal { get; }

    /// <summary>One random stream per problem, seeded with <c>Seed + b</c>.</summary>
    protected DeterministicRandom[] Random { get; }

    private readonly float[] _best;
    private readonly float[] _bestCost;
    private readonly float[] _safe;
    private bool _hasWarm;
    private double _iterationEstimateMs;
    private bool _disposed;

    /// <summary>Creates a planner for <paramref name="batch"/> problems.</summary>
    protected PlannerBase(IRolloutEvaluator evaluator, PlanningOptions options, int batch)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(options);
        Guard.AtLeast(batch, 1, nameof(batch));
        options.Validate(evaluator.ActionDim);
        Evaluator = evaluator;
        Options = options;
        Batch = batch;
        Horizon = options.Horizon;
        ActionDim = evaluator.ActionDim;
        Bounds = options.Bounds ?? ActionBounds.Unbounded(ActionDim);
        PlanLength = Horizon * ActionDim;
        Nominal = new float[batch * PlanLength];
        _best = new float[batch * PlanLength];
        _bestCost = new float[batch];
        _safe = new float[ActionDim];
        for (int d = 0; d < ActionDim; d++) _safe[d] = options.SafeAction?[d] ?? Bounds.SafeValue(d);
        Random = new DeterministicRandom[batch];
        ResetWarmStart();
    }

    /// <inheritdoc />
    public int Batch { get; }

    /// <inheritdoc />
    public int Horizon { get; }

    /// <inheritdoc />
    public int ActionDim { get; }

    /// <inheritdoc />
    public int StateDim => Evaluator.StateDim;

    /// <inheritdoc />
    public int GoalDim => Evaluator.GoalDim;

    /// <summary>The warm start the next call begins from (for tests and diagnostics).</summary>
    internal ReadOnlySpan<float> WarmStart => Nominal;

    /// <summary>Floats in one plan, <c>H x A</c>.</summary>
    protected int PlanLength { get; }

    /// <inheritdoc />
    public ReadOnlySpan<float> BestPlan => _best;

    /// <inheritdoc />
    public ReadOnlySpan<float> BestCost => _bestCost;

    /// <inheritdoc />
    public ReadOnlySpan<float> SafeAction => _safe;

    /// <inheritdoc />
    public PlanStatus Plan(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Checked before calling Guard so the interpolated shape text is only built on failure (Plan allocates nothing).
        if (initialLatents.Length != Batch * StateDim) Guard.Length(initialLatents.Length, Batch * StateDim, nameof(initialLatents), $"[B={Batch} x S={StateDim}]");
        if (goals.Length != Batch * GoalDim) Guard.Length(goals.Length, Batch * GoalDim, nameof(goals), $"[B={Batch} x G={GoalDim}]");
        Guard.Finite(initialLatents, nameof(initialLatents));
        Guard.Finite(goals, nameof(goals));

        long evaluationsBefore = Evaluator.ModelEvaluations;
        for (int b = 0; b < Batch; b++) Random[b] = new DeterministicRandom((ulong)(uint)(Options.Seed + b) * 0x9E3779B97F4A7C15UL + 1);
        _bestCost.AsSpan().Fill(float.PositiveInfinity);
        Evaluator.Bind(initialLatents, goals, Batch);

        var clock = new DeadlineClock(Options.Deadline, _iterationEstimateMs);
        (int iterations, PlanStopReason reason) = Optimize(ref clock);
        // A call that could fit no iteration learns nothing new; decay the estimate so one slow spike cannot starve
        // every later call (the next call will try again and measure).
        _iterationEstimateMs = iterations == 0 && reason == PlanStopReason.Deadline ? clock.IterationEstimateMs * 0.5 : clock.IterationEstimateMs;

        int degraded = FinishPlans();
        return new PlanStatus(iterations, reason, degraded > 0, degraded, clock.ElapsedMs, Evaluator.ModelEvaluations - evaluationsBefore);
    }

    /// <summary>Runs the optimiser. Call <see cref="DeadlineClock.HasTimeForIteration"/> before and <see cref="DeadlineClock.IterationDone"/> after each iteration, and <see cref="TrackBest"/> after each evaluation.</summary>
    internal abstract (int Iterations, PlanStopReason Reason) Optimize(ref DeadlineClock clock);

    /// <summary>Keeps, per problem, the best finite-cost candidate of <paramref name="candidates"/> <c>[B x N x H x A]</c>.</summary>
    protected void TrackBest(ReadOnlySpan<float> candidates, ReadOnlySpan<float> costs, int n)
    {
        for (int b = 0; b < Batch; b++)
        {
            int bestIndex = -1;
            float bestCost = _bestCost[b];
            for (int i = 0; i < n; i++)
            {
                float c = costs[b * n + i];
                if (float.IsFinite(c) && c < bestCost) { bestCost = c; bestIndex = i; }
            }
            if (bestIndex < 0) continue;
            _bestCost[b] = bestCost;
            candidates.Slice((b * n + bestIndex) * PlanLength, PlanLength).CopyTo(_best.AsSpan(b * PlanLength, PlanLength));
        }
    }

    /// <summary>The best plan found so far in this call for problem <paramref name="b"/>.</summary>
    protected ReadOnlySpan<float> BestPlanOf(int b) => _best.AsSpan(b * PlanLength, PlanLength);

    /// <summary>Replaces plans without a finite cost by the fallback, clamps all into the bounds, and makes them the next warm start.</summary>
    private int FinishPlans()
    {
        int degraded = 0;
        for (int b = 0; b < Batch; b++)
        {
            Span<float> plan = _best.AsSpan(b * PlanLength, PlanLength);
            if (!float.IsFinite(_bestCost[b]) || Guard.FirstNonFinite(plan) >= 0)
            {
                degraded++;
                _bestCost[b] = float.PositiveInfinity;
                // Fallback: the previous plan shifted by the executed steps (already in Nominal), else the safe action.
                if (_hasWarm && Guard.FirstNonFinite(Nominal.AsSpan(b * PlanLength, PlanLength)) < 0)
                    Nominal.AsSpan(b * PlanLength, PlanLength).CopyTo(plan);
                else
                    FillSafe(plan);
            }
            Bounds.Clamp(plan);
        }
        _best.AsSpan().CopyTo(Nominal);
        _hasWarm = true;
        return degraded;
    }

    /// <summary>Fills a plan (any number of whole actions) with the safe action.</summary>
    protected void FillSafe(Span<float> plan)
    {
        for (int i = 0; i < plan.Length; i += ActionDim) _safe.CopyTo(plan.Slice(i, ActionDim));
    }

    /// <inheritdoc />
    public void ShiftWarmStart(int steps)
    {
        Guard.AtLeast(steps, 0, nameof(steps));
        if (steps == 0 || !_hasWarm) return;
        int shift = Math.Min(steps, Horizon) * ActionDim;
        for (int b = 0; b < Batch; b++)
        {
            Span<float> plan = Nominal.AsSpan(b * PlanLength, PlanLength);
            if (shift < PlanLength)
            {
                plan[shift..].CopyTo(plan);
                // The tail repeats the last planned action: a better guess than zero for smooth tasks.
                ReadOnlySpan<float> last = plan.Slice(PlanLength - shift - ActionDim, ActionDim);
                for (int i = PlanLength - shift; i < PlanLength; i += ActionDim) last.CopyTo(plan.Slice(i, ActionDim));
            }
            else
            {
                FillSafe(plan);
            }
        }
    }

    /// <inheritdoc />
    public void ResetWarmStart()
    {
        FillSafe(Nominal);
        _hasWarm = false;
    }

    /// <summary>Releases nothing by default; the evaluator belongs to the caller.</summary>
    protected virtual void Dispose(bool disposing) => _disposed = true;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
