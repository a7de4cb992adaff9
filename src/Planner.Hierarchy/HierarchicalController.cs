using Planner.Control;
using Planner.Costs;
using Planner.Planning;

namespace Planner.Hierarchy;

/// <summary>The outcome of one hierarchical control tick.</summary>
/// <param name="ReplannedLevels">Bit k is set when level k replanned this tick.</param>
/// <param name="Reason">Why the tick was degraded (<see cref="DegradedReason.None"/> when it was not).</param>
/// <param name="DegradedRobots">Robots that took a fallback action.</param>
/// <param name="ModelEvaluations">World-model steps run this tick over all levels (planning compute).</param>
/// <param name="PlanningMilliseconds">Time spent planning this tick over all levels.</param>
public readonly record struct HierarchyStatus(int ReplannedLevels, DegradedReason Reason, int DegradedRobots, long ModelEvaluations, double PlanningMilliseconds)
{
    /// <summary>True when level <paramref name="level"/> replanned.</summary>
    public bool Replanned(int level) => (ReplannedLevels & (1 << level)) != 0;

    /// <summary>True when some robot's action is a fallback.</summary>
    public bool Degraded => Reason != DegradedReason.None;
}

/// <summary>
/// Hierarchical receding-horizon control: a stack of levels, level 0 acting with real actions every tick, each level
/// above planning at a coarser time-scale and handing its predicted latent down as the subgoal (the goal, and so the
/// cost) of the level below. Level k replans every tau_k ticks, or earlier when its subgoal is reached or has become
/// unreachable; a level that replans forces the levels below it to replan towards the new subgoal. A level can let the
/// level below try the goal itself first (<see cref="LevelOptions.ReachRadius"/>), and remembers the subgoals a robot
/// got stuck on as places its plans must avoid (<see cref="LevelOptions.StuckTicks"/>), as well as the pockets where a
/// robot circled without getting anywhere (<see cref="LevelOptions.WanderTicks"/>). Batched over B robots; all
/// levels share one latent space (one encoder). Allocation-free per tick; not thread-safe.
/// </summary>
public sealed class HierarchicalController : IDisposable
{
    private readonly HierarchyLevel[] _levels;
    private readonly ObservationGate _gate;
    private readonly float[] _goals;
    private readonly float[][] _subgoals;   // _subgoals[k]: goal of level k, [B x S] (the top's is _goals)
    private readonly float[][] _predicted;  // [B x H_k x S] per level
    private readonly int[] _ticksSincePlan;
    private readonly int[] _ticksCarried;   // ticks of level k's current first step already run before its last replan (< tau_k)
    private readonly bool[] _hasPlan, _force;
    private readonly bool[][] _delegating;  // _delegating[k][b]: level k hands robot b's goal down unplanned (ReachRadius)
    private readonly bool[][] _noDirect;    // _noDirect[k][b]: robot b got stuck with the goal itself; no DirectGoalRadius for it
    private readonly float[][] _anchors;    // _anchors[k]: latents at level k's last stuck check, [B x S]
    private readonly int[] _ticksSinceCheck;
    private readonly float[][] _wanderAnchors; // _wanderAnchors[k]: latents at level k's last wander check, [B x S]
    private readonly int[] _ticksSinceWander;
    private readonly float[] _scratchPoint;   // [S]: a point being recorded
    private long _tick; // ticks since the goal was set: the stamp of avoided points
    private readonly int _latentDim;
    private readonly ILatentDistance? _goalDistance;
    private bool _hasGoals;

    /// <summary>
    /// Creates the controller; <paramref name="levels"/>[0] acts with real actions. At least one level.
    /// <paramref name="goalDistance"/>, when given (e.g. a <see cref="Landmarks.LandmarkGraph"/>), vetoes nearness to a
    /// level's goal (<see cref="LevelOptions.DirectGoalRadius"/>, the wander clearance) where the way there is much
    /// longer than the straight line (<see cref="LevelOptions.GoalDetourTolerance"/>): a goal just behind a wall is not near.
    /// </summary>
    public HierarchicalController(IEncoder encoder, IReadOnlyList<HierarchyLevel> levels, InvalidObservationPolicy invalidObservation = InvalidObservationPolicy.Throw,
        ILatentDistance? goalDistance = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0) throw new ArgumentException("a hierarchy needs at least one level.", nameof(levels));
        _levels = levels.ToArray();
        int batch = _levels[0].Planner.Batch;
        _latentDim = encoder.LatentDim;
        if (goalDistance is not null && goalDistance.LatentDim != _latentDim)
            throw new ArgumentException($"the goal distance measures latents of size {goalDistance.LatentDim}; the encoder's have {_latentDim}.", nameof(goalDistance));
        _goalDistance = goalDistance;
        for (int k = 0; k < _levels.Length; k++)
        {
            var p = _levels[k].Planner;
            if (p.Batch != batch) throw new ArgumentException($"level {k} plans for {p.Batch} robots; level 0 for {batch}.", nameof(levels));
            if (p.StateDim != _latentDim || p.GoalDim != _latentDim)
                throw new ArgumentException($"level {k} plans in a latent of size {p.StateDim} towards goals of size {p.GoalDim}; the encoder's latent has {_latentDim} (levels share one latent space).", nameof(levels));
            if (k > 0 && _levels[k].Options.TimeScale < _levels[k - 1].Options.TimeScale)
                throw new ArgumentException($"level {k} has time-scale {_levels[k].Options.TimeScale}, finer than level {k - 1}'s {_levels[k - 1].Options.TimeScale}; expected coarser levels above.", nameof(levels));
        }
        if (_levels[0].Options.TimeScale != 1) throw new ArgumentException("level 0 must have time-scale 1 (it acts every tick).", nameof(levels));
        _gate = new ObservationGate(encoder, invalidObservation, batch);
        _goals = new float[batch * _latentDim];
        _subgoals = new float[_levels.Length][];
        _predicted = new float[_levels.Length][];
        for (int k = 0; k < _levels.Length; k++)
        {
            _subgoals[k] = k == _levels.Length - 1 ? _goals : new float[batch * _latentDim];
            _predicted[k] = new float[batch * _levels[k].Planner.Horizon * _latentDim];
        }
        _ticksSincePlan = new int[_levels.Length];
        _ticksCarried = new int[_levels.Length];
        _hasPlan = new bool[_levels.Length];
        _force = new bool[_levels.Length];
        _delegating = new bool[_levels.Length][];
        for (int k = 0; k < _levels.Length; k++) _delegating[k] = new bool[batch];
        _noDirect = new bool[_levels.Length][];
        for (int k = 0; k < _levels.Length; k++) _noDirect[k] = new bool[batch];
        _anchors = new float[_levels.Length][];
        for (int k = 0; k < _levels.Length; k++) _anchors[k] = new float[batch * _latentDim];
        _ticksSinceCheck = new int[_levels.Length];
        _wanderAnchors = new float[_levels.Length][];
        for (int k = 0; k < _levels.Length; k++) _wanderAnchors[k] = new float[batch * _latentDim];
        _ticksSinceWander = new int[_levels.Length];
        _scratchPoint = new float[_latentDim];
    }

    /// <summary>Robots B.</summary>
    public int Batch => _levels[0].Planner.Batch;

    /// <summary>Number of levels.</summary>
    public int Levels => _levels.Length;

    /// <summary>The goal level <paramref name="level"/> is planning towards, <c>[B x S]</c>: the subgoal from the level above (or the goal at the top).</summary>
    public ReadOnlySpan<float> GoalOf(int level) => _subgoals[level];

    /// <summary>Latents predicted along level <paramref name="level"/>'s current plan, <c>[B x H_k x S]</c>.</summary>
    public ReadOnlySpan<float> PredictedLatents(int level) => _predicted[level];

    /// <summary>The level objects.</summary>
    public IReadOnlyList<HierarchyLevel> LevelList => _levels;

    /// <summary>Sets goal observations <c>[B x O]</c>, encoded to the goal latent of the top level.</summary>
    public void SetGoalObservations(ReadOnlySpan<float> goalObservations)
    {
        _gate.EncodeGoals(goalObservations, _goals);
        OnNewGoal();
    }

    /// <summary>Sets goal latents <c>[B x S]</c>.</summary>
    public void SetGoalLatents(ReadOnlySpan<float> goals)
    {
        Guard.Length(goals.Length, _goals.Length, nameof(goals), $"[B={Batch} x S={_latentDim}]");
        Guard.Finite(goals, nameof(goals));
        goals.CopyTo(_goals);
        OnNewGoal();
    }

    private void OnNewGoal()
    {
        _hasGoals = true;
        Array.Fill(_force, true);
        for (int k = 1; k < _levels.Length; k++)
        {
            Array.Fill(_delegating[k], _levels[k].Options.ReachRadius > 0);
            Array.Clear(_noDirect[k]);
            _levels[k].Avoided?.Clear();
        }
        Array.Fill(_ticksSinceCheck, -1); // anchors are taken on the next tick
        Array.Fill(_ticksSinceWander, -1);
        _tick = 0;
    }

    /// <summary>One tick: observations <c>[B x O]</c> in, real actions <c>[B x A]</c> out.</summary>
    public HierarchyStatus Act(ReadOnlySpan<float> observations, Span<float> actions)
    {
        if (!_hasGoals) throw new InvalidOperationException("no goal set: call SetGoalObservations or SetGoalLatents before Act.");
        var bottom = _levels[0].Planner;
        Guard.Length(actions.Length, Batch * bottom.ActionDim, nameof(actions), $"[B={Batch} x A={bottom.ActionDim}]");
        var reason = _gate.Encode(observations);
        ReadOnlySpan<float> z = _gate.Latents;

        // A level whose handed-down subgoal has been reached replans now.
        for (int k = 1; k < _levels.Length; k++)
        {
            float radius = _levels[k].Options.SubgoalReachedRadius;
            if (radius > 0 && _hasPlan[k] && AnyWithin(z, _subgoals[k - 1], radius)) _force[k] = true;
            if (_levels[k].Options.StuckTicks > 0) CheckStuck(k, z);
            if (_levels[k].Options.WanderTicks > 0) CheckWander(k, z);
            if (_levels[k].Options.AvoidTicks > 0) _levels[k].Avoided?.ForgetBefore(_tick - _levels[k].Options.AvoidTicks);
        }
        _tick++;

        int replanned = 0;
        long evaluations = 0;
        double planningMs = 0;
        for (int k = _levels.Length - 1; k >= 0; k--)
        {
            var level = _levels[k];
            bool due = !_hasPlan[k] || _force[k] || _ticksSincePlan[k] >= level.Period
                || _ticksSincePlan[k] >= level.Planner.Horizon * level.Options.TimeScale;
            if (!due) continue;
            if (k > 0 && AllDelegated(k, z))
            {
                // Every robot is near this level's goal, or the level below expects to reach it unaided: no plan is
                // needed, the goal itself goes down.
                if (!_subgoals[k].AsSpan().SequenceEqual(_subgoals[k - 1])) _force[k - 1] = true;
                _subgoals[k].CopyTo(_subgoals[k - 1], 0);
                if (_hasPlan[k]) level.Planner.ResetWarmStart();
                _hasPlan[k] = false;
                _force[k] = false;
                _ticksSincePlan[k] = 0;
                continue;
            }

            // A level replanning more often than its time-scale has run only part of its first step: the warm start
            // moves by whole steps, and the remainder is carried to the next replan.
            int tau = level.Options.TimeScale, ran = _hasPlan[k] ? _ticksCarried[k] + _ticksSincePlan[k] : 0;
            if (_hasPlan[k]) level.Planner.ShiftWarmStart(ran / tau);
            _ticksCarried[k] = ran % tau;
            var status = level.Planner.Plan(z, _subgoals[k]);
            evaluations += status.ModelEvaluations;
            planningMs += status.ElapsedMilliseconds;
            if (status.Degraded && reason == DegradedReason.None) reason = DegradedReason.PlannerFallback;
            level.Predictor.Predict(z, level.Planner.BestPlan, Batch, level.Planner.Horizon, _predicted[k]);

            _hasPlan[k] = true;
            _force[k] = false;
            _ticksSincePlan[k] = 0;
            replanned |= 1 << k;
            if (k > 0)
            {
                HandDownSubgoal(k, z);
                _force[k - 1] = true; // a new subgoal: the level below replans towards it now
            }
            if (k < _levels.Length - 1)
            {
                if (Unreachable(k)) _force[k + 1] = true; // checked again next tick
                StopDelegatingUnreached(k);
            }
        }

        int a = bottom.ActionDim, planLength = bottom.Horizon * a, degraded = 0;
        ReadOnlySpan<float> plan = bottom.BestPlan;
        for (int b = 0; b < Batch; b++)
        {
            plan.Slice(b * planLength + _ticksSincePlan[0] * a, a).CopyTo(actions.Slice(b * a, a));
            if (!_gate.Valid[b]) degraded++;
        }
        for (int k = 0; k < _levels.Length; k++) _ticksSincePlan[k]++;
        return new HierarchyStatus(replanned, reason, degraded, evaluations, planningMs);
    }

    /// <summary>
    /// Level k's predicted latent at its SubgoalStep becomes level k-1's goal; a robot already within the level's
    /// DirectGoalRadius of level k's own goal gets that goal instead.
    /// </summary>
    private void HandDownSubgoal(int k, ReadOnlySpan<float> z)
    {
        int h = _levels[k].Planner.Horizon, step = _levels[k].Options.SubgoalStep - 1, s = _latentDim;
        for (int b = 0; b < Batch; b++)
        {
            var goal = _subgoals[k].AsSpan(b * s, s);
            var target = _subgoals[k - 1].AsSpan(b * s, s);
            if (_delegating[k][b] || IsDirect(k, b, z)) goal.CopyTo(target);
            else _predicted[k].AsSpan((b * h + step) * s, s).CopyTo(target);
        }
    }

    /// <summary>True when level k's plan ends farther than the level above's UnreachableDistance from its goal, for some robot.</summary>
    private bool Unreachable(int k)
    {
        float limit = _levels[k + 1].Options.UnreachableDistance;
        if (float.IsPositiveInfinity(limit)) return false;
        int h = _levels[k].Planner.Horizon, s = _latentDim;
        for (int b = 0; b < Batch; b++)
        {
            if (Distance(_predicted[k].AsSpan((b * h + h - 1) * s, s), _subgoals[k].AsSpan(b * s, s)) > limit) return true;
        }
        return false;
    }

    /// <summary>
    /// Every StuckTicks ticks: a robot whose latent moved less than StuckDistance since the last check is stuck. If it
    /// was following a subgoal of level k, that subgoal goes into level k's avoided-points memory and level k replans
    /// from scratch; if it was given the goal itself (ReachRadius delegation, or DirectGoalRadius near the goal, e.g.
    /// behind a wall), level k starts planning for it (the goal is never avoided).
    /// </summary>
    private void CheckStuck(int k, ReadOnlySpan<float> z)
    {
        var options = _levels[k].Options;
        var anchors = _anchors[k];
        int s = _latentDim;
        if (!PeriodElapsed(_ticksSinceCheck, k, options.StuckTicks, out bool compare)) return;
        bool stuck = false;
        for (int b = 0; compare && b < Batch; b++)
        {
            if (Distance(z.Slice(b * s, s), anchors.AsSpan(b * s, s)) >= options.StuckDistance) continue;
            if (_delegating[k][b])
            {
                _delegating[k][b] = false;
                _force[k] = true;
            }
            else if (IsDirect(k, b, z))
            {
                _noDirect[k][b] = true;
                _force[k] = true;
            }
            else if (_hasPlan[k])
            {
                bool blocked = (options.AvoidOnlyWhenBlocked || options.KeepBlockedAvoids) && LowerPlanStalls(k, b, z, options.StuckDistance);
                if (!options.AvoidOnlyWhenBlocked || blocked)
                    Avoid(k, b, z.Slice(b * s, s), _subgoals[k - 1].AsSpan(b * s, s), options.KeepBlockedAvoids && blocked ? AvoidedPointsCost.Kept : _tick);
                stuck = true;
            }
        }
        if (stuck) ReplanFromScratch(k);
        z.CopyTo(anchors);
        _ticksSinceCheck[k] = 0;
    }

    /// <summary>
    /// Every WanderTicks ticks: a robot level k plans for (not delegated, not near its goal) that is within
    /// WanderDistance of where it was at the last check is circling in a pocket; its current latent goes into level
    /// k's avoided-points memory and level k replans from scratch.
    /// </summary>
    private void CheckWander(int k, ReadOnlySpan<float> z)
    {
        var options = _levels[k].Options;
        var anchors = _wanderAnchors[k];
        var avoided = _levels[k].Avoided;
        int s = _latentDim;
        if (!PeriodElapsed(_ticksSinceWander, k, options.WanderTicks, out bool compare)) return;
        bool wandering = false;
        float clearance = options.WanderGoalClearance > 0 ? options.WanderGoalClearance : avoided?.Radius ?? 0;
        for (int b = 0; compare && b < Batch; b++)
        {
            var here = z.Slice(b * s, s);
            if (!_hasPlan[k] || _delegating[k][b] || IsDirect(k, b, z)) continue;
            if (Distance(here, anchors.AsSpan(b * s, s)) >= options.WanderDistance) continue;
            if (NearGoal(k, here, _subgoals[k].AsSpan(b * s, s), clearance)) continue;
            avoided?.Add(b, here, _tick);
            wandering = true;
        }
        if (wandering) ReplanFromScratch(k);
        z.CopyTo(anchors);
        _ticksSinceWander[k] = 0;
    }

    /// <summary>
    /// Advances level k's counter of a periodic check (stuck, wander): true when the check runs this tick. A counter of
    /// -1 (a new goal) runs it at once with nothing to compare against (<paramref name="compare"/> false): it only
    /// takes the anchors.
    /// </summary>
    private static bool PeriodElapsed(int[] ticksSince, int k, int period, out bool compare)
    {
        compare = ticksSince[k] >= 0;
        return !compare || ++ticksSince[k] >= period;
    }

    /// <summary>Level k drops its plan and warm start: it plans afresh on this tick, around what was just recorded.</summary>
    private void ReplanFromScratch(int k)
    {
        _levels[k].Planner.ResetWarmStart();
        _hasPlan[k] = false;
    }

    /// <summary>Records the keep-out ball of robot b, at <paramref name="here"/>, stuck on <paramref name="subgoal"/>, where the level's AvoidPlacement says.</summary>
    private void Avoid(int k, int b, ReadOnlySpan<float> here, ReadOnlySpan<float> subgoal, long stamp)
    {
        var avoided = _levels[k].Avoided;
        if (avoided is null) return;
        float distance = Distance(here, subgoal);
        if (_levels[k].Options.AvoidPlacement == AvoidPlacement.Subgoal || distance <= avoided.Radius)
        {
            avoided.Add(b, subgoal, stamp);
            return;
        }
        var point = _scratchPoint.AsSpan();
        float t = avoided.Radius / distance;
        for (int i = 0; i < point.Length; i++) point[i] = here[i] + t * (subgoal[i] - here[i]);
        avoided.Add(b, point, stamp);
    }

    /// <summary>True when the latest plan of level k-1 for robot b ends within <paramref name="radius"/> of its current latent.</summary>
    private bool LowerPlanStalls(int k, int b, ReadOnlySpan<float> z, float radius)
    {
        int h = _levels[k - 1].Planner.Horizon, s = _latentDim;
        return Distance(_predicted[k - 1].AsSpan((b * h + h - 1) * s, s), z.Slice(b * s, s)) < radius;
    }

    /// <summary>True when robot b is within level k's DirectGoalRadius of its goal (and that shortcut is not switched off for it).</summary>
    private bool IsDirect(int k, int b, ReadOnlySpan<float> z)
    {
        float radius = _levels[k].Options.DirectGoalRadius;
        int s = _latentDim;
        return radius > 0 && !_noDirect[k][b] && NearGoal(k, z.Slice(b * s, s), _subgoals[k].AsSpan(b * s, s), radius);
    }

    /// <summary>True when level k need not plan: every robot is delegated (ReachRadius) or within its DirectGoalRadius.</summary>
    private bool AllDelegated(int k, ReadOnlySpan<float> z)
    {
        for (int b = 0; b < Batch; b++)
            if (!_delegating[k][b] && !IsDirect(k, b, z)) return false;
        return true;
    }

    /// <summary>
    /// After level k planned: a robot that level k+1 delegates stops being delegated, and level k+1 plans next tick,
    /// when level k's plan towards the goal no longer ends within level k+1's ReachRadius of it.
    /// </summary>
    private void StopDelegatingUnreached(int k)
    {
        float radius = _levels[k + 1].Options.ReachRadius;
        if (radius <= 0) return;
        int h = _levels[k].Planner.Horizon, s = _latentDim;
        var delegating = _delegating[k + 1];
        for (int b = 0; b < Batch; b++)
        {
            if (!delegating[b]) continue;
            if (Distance(_predicted[k].AsSpan((b * h + h - 1) * s, s), _subgoals[k].AsSpan(b * s, s)) <= radius) continue;
            delegating[b] = false;
            _force[k + 1] = true;
        }
    }

    private bool AnyWithin(ReadOnlySpan<float> z, ReadOnlySpan<float> goals, float radius)
    {
        int s = _latentDim;
        for (int b = 0; b < Batch; b++)
            if (Distance(z.Slice(b * s, s), goals.Slice(b * s, s)) <= radius) return true;
        return false;
    }

    /// <summary>
    /// Within <paramref name="radius"/> of the goal in a straight line, and (with a goal distance) not much farther along
    /// it: level k's GoalDetourTolerance.
    /// </summary>
    private bool NearGoal(int k, ReadOnlySpan<float> z, ReadOnlySpan<float> goal, float radius)
    {
        float straight = Distance(z, goal);
        if (straight > radius) return false;
        return _goalDistance is null || _goalDistance.Distance(z, goal) <= straight + _levels[k].Options.GoalDetourTolerance;
    }

    private static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++) { float d = x[i] - y[i]; sum += d * d; }
        return MathF.Sqrt(sum);
    }

    /// <summary>Forgets every level's plan and warm start (goals are kept, and treated as new: ReachRadius delegation starts again).</summary>
    public void Reset()
    {
        foreach (var level in _levels) level.Planner.ResetWarmStart();
        Array.Clear(_hasPlan);
        Array.Clear(_ticksSincePlan);
        Array.Fill(_ticksSinceCheck, -1);
        Array.Fill(_ticksSinceWander, -1);
        _gate.Reset();
        if (_hasGoals) OnNewGoal();
    }

    /// <summary>Disposes every level's planner.</summary>
    public void Dispose()
    {
        foreach (var level in _levels) level.Planner.Dispose();
    }
}
