using Planner.Planning;

namespace Planner.Control;

/// <summary>What to do when an observation holds NaN or infinity.</summary>
public enum InvalidObservationPolicy
{
    /// <summary>Throw <see cref="ArgumentException"/> naming the offending element (for library callers who want to know).</summary>
    Throw,

    /// <summary>Keep acting: the affected robot continues its current plan (or takes the safe action) and the status says degraded.</summary>
    Fallback,
}

/// <summary>Why a tick's action did not come from a fresh, finite plan.</summary>
public enum DegradedReason
{
    /// <summary>Nothing degraded.</summary>
    None,

    /// <summary>An observation was not finite.</summary>
    InvalidObservation,

    /// <summary>The encoder produced a non-finite latent.</summary>
    InvalidLatent,

    /// <summary>The planner found no finite-cost plan for some problem and fell back.</summary>
    PlannerFallback,
}

/// <summary>Settings of a <see cref="RecedingHorizonController"/>.</summary>
public sealed record ControllerOptions
{
    /// <summary>Replan every R ticks (1: every tick); between replans the controller executes the current plan.</summary>
    public int ReplanEvery { get; init; } = 1;

    /// <summary>What to do with non-finite observations.</summary>
    public InvalidObservationPolicy InvalidObservation { get; init; } = InvalidObservationPolicy.Throw;
}

/// <summary>The outcome of one control tick.</summary>
/// <param name="Replanned">True when the planner ran this tick.</param>
/// <param name="Reason">Why the tick was degraded (<see cref="DegradedReason.None"/> when it was not).</param>
/// <param name="DegradedRobots">How many robots took a fallback action.</param>
/// <param name="Plan">The planner's status (default when it did not run).</param>
public readonly record struct ControlStatus(bool Replanned, DegradedReason Reason, int DegradedRobots, PlanStatus Plan)
{
    /// <summary>True when some robot's action is a fallback.</summary>
    public bool Degraded => Reason != DegradedReason.None;
}

/// <summary>
/// Receding-horizon control for B robots in one batched call: encode the observations, plan (warm-started from the
/// previous plan shifted by the executed steps), execute the first action, repeat. Every returned action is finite and
/// inside the planner's bounds. Allocation-free per tick. Not thread-safe: one controller per control loop (controllers
/// on different threads may share a read-only world model through separate evaluators).
/// </summary>
public sealed class RecedingHorizonController : IDisposable
{
    private readonly IEncoder _encoder;
    private readonly IPlanner _planner;
    private readonly ControllerOptions _options;
    private readonly ObservationGate _gate;
    private readonly float[] _goals;
    private bool _hasGoals, _hasPlan;
    private int _stepsSincePlan;

    /// <summary>Creates a controller; the encoder's latent size must match the planner's.</summary>
    public RecedingHorizonController(IEncoder encoder, IPlanner planner, ControllerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(planner);
        _options = options ?? new ControllerOptions();
        Guard.AtLeast(_options.ReplanEvery, 1, nameof(ControllerOptions.ReplanEvery));
        if (encoder.LatentDim != planner.StateDim)
            throw new ArgumentException($"encoder produces latents of size {encoder.LatentDim}; the planner's model expects {planner.StateDim}.", nameof(encoder));
        _encoder = encoder;
        _planner = planner;
        _gate = new ObservationGate(encoder, _options.InvalidObservation, planner.Batch);
        _goals = new float[planner.Batch * planner.GoalDim];
    }

    /// <summary>Robots B served per call.</summary>
    public int Batch => _planner.Batch;

    /// <summary>Observation size O.</summary>
    public int ObservationDim => _encoder.ObservationDim;

    /// <summary>Action size A.</summary>
    public int ActionDim => _planner.ActionDim;

    /// <summary>The plan being executed, <c>[B x H x A]</c>.</summary>
    public ReadOnlySpan<float> CurrentPlan => _planner.BestPlan;

    /// <summary>Sets goals given as observations <c>[B x O]</c> (a goal state or goal image), encoded to goal latents.</summary>
    public void SetGoalObservations(ReadOnlySpan<float> goalObservations)
    {
        if (_planner.GoalDim != _encoder.LatentDim)
            throw new InvalidOperationException($"goals are compared in a space of size {_planner.GoalDim}, not the latent ({_encoder.LatentDim}); use SetGoalLatents.");
        _gate.EncodeGoals(goalObservations, _goals);
        _hasGoals = true;
    }

    /// <summary>Sets goal latents <c>[B x G]</c> directly.</summary>
    public void SetGoalLatents(ReadOnlySpan<float> goals)
    {
        Guard.Length(goals.Length, _goals.Length, nameof(goals), $"[B={Batch} x G={_planner.GoalDim}]");
        Guard.Finite(goals, nameof(goals));
        goals.CopyTo(_goals);
        _hasGoals = true;
    }

    /// <summary>
    /// One control tick: observations <c>[B x O]</c> in, actions <c>[B x A]</c> out. Replans every
    /// <see cref="ControllerOptions.ReplanEvery"/> ticks (or when the plan is used up).
    /// </summary>
    public ControlStatus Act(ReadOnlySpan<float> observations, Span<float> actions)
    {
        if (!_hasGoals) throw new InvalidOperationException("no goal set: call SetGoalObservations or SetGoalLatents before Act.");
        Guard.Length(actions.Length, Batch * ActionDim, nameof(actions), $"[B={Batch} x A={ActionDim}]");
        var reason = _gate.Encode(observations);

        bool replan = !_hasPlan || _stepsSincePlan >= _options.ReplanEvery || _stepsSincePlan >= _planner.Horizon;
        PlanStatus planStatus = default;
        if (replan)
        {
            _planner.ShiftWarmStart(_stepsSincePlan);
            planStatus = _planner.Plan(_gate.Latents, _goals);
            if (planStatus.Degraded && reason == DegradedReason.None) reason = DegradedReason.PlannerFallback;
            _stepsSincePlan = 0;
        }

        int a = ActionDim, planLength = _planner.Horizon * a, degradedRobots = 0;
        ReadOnlySpan<float> plan = _planner.BestPlan;
        for (int b = 0; b < Batch; b++)
        {
            Span<float> dst = actions.Slice(b * a, a);
            bool valid = _gate.Valid[b];
            bool fallback = !valid && !_hasPlan;
            if (fallback) _planner.SafeAction.CopyTo(dst);
            else plan.Slice(b * planLength + _stepsSincePlan * a, a).CopyTo(dst);
            if (!valid || (replan && !float.IsFinite(_planner.BestCost[b]))) degradedRobots++;
        }
        _hasPlan = true;
        _stepsSincePlan++;
        return new ControlStatus(replan, reason, degradedRobots, planStatus);
    }

    /// <summary>Forgets the plan, the warm start and the last latents (e.g. after a teleport or a new episode). Goals are kept.</summary>
    public void Reset()
    {
        _planner.ResetWarmStart();
        _hasPlan = false;
        _stepsSincePlan = 0;
        _gate.Reset();
    }

    /// <summary>Disposes the planner.</summary>
    public void Dispose() => _planner.Dispose();
}
