using Planner.Costs;
using Planner.Models;

namespace Planner.Managed;

/// <summary>
/// The managed CPU backend's rollout: unrolls an <see cref="IDifferentiableDynamics"/> over every candidate, sums the
/// cost terms and back-propagates to the actions, with every buffer allocated once (sized for the largest call seen)
/// and rows split over a fixed number of threads (each thread runs whole rollouts for its rows: no synchronisation
/// per step).
/// </summary>
public sealed class ManagedRolloutEvaluator : IRolloutEvaluator
{
    private readonly IDifferentiableDynamics _dynamics;
    private readonly CostFunction _cost;
    private readonly int _threads;
    private float[] _initial = [];
    private float[] _goals = [];
    private int _batch;
    private Workspace[] _workspaces = [];
    private long _evaluations;

    /// <summary>Creates the evaluator. <paramref name="threads"/>: worker count (1 = the calling thread only).</summary>
    public ManagedRolloutEvaluator(IDifferentiableDynamics dynamics, CostFunction cost, int goalDim = -1, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(dynamics);
        ArgumentNullException.ThrowIfNull(cost);
        Guard.AtLeast(threads, 1, nameof(threads));
        _dynamics = dynamics;
        _cost = cost;
        _threads = threads;
        GoalDim = goalDim < 0 ? dynamics.StateDim : goalDim;
        cost.Validate(new CostShape(1, StateDim, ActionDim, GoalDim));
    }

    /// <inheritdoc />
    public int StateDim => _dynamics.StateDim;

    /// <inheritdoc />
    public int ActionDim => _dynamics.ActionDim;

    /// <inheritdoc />
    public int GoalDim { get; }

    /// <inheritdoc />
    public bool SupportsGradients => true;

    /// <inheritdoc />
    public long ModelEvaluations => _evaluations;

    /// <inheritdoc />
    public void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch)
    {
        Guard.AtLeast(batch, 1, nameof(batch));
        Guard.Length(initialLatents.Length, batch * StateDim, nameof(initialLatents), $"[B={batch} x S={StateDim}]");
        Guard.Length(goals.Length, batch * GoalDim, nameof(goals), $"[B={batch} x G={GoalDim}]");
        if (_initial.Length != initialLatents.Length) _initial = new float[initialLatents.Length];
        if (_goals.Length != goals.Length) _goals = new float[goals.Length];
        initialLatents.CopyTo(_initial);
        goals.CopyTo(_goals);
        _batch = batch;
    }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients)
    {
        if (_batch == 0) throw new InvalidOperationException("Bind must be called before Evaluate.");
        Guard.AtLeast(candidates, 1, nameof(candidates));
        Guard.AtLeast(horizon, 1, nameof(horizon));
        int rows = _batch * candidates;
        Guard.Length(actions.Length, rows * horizon * ActionDim, nameof(actions), $"[B={_batch} x N={candidates} x H={horizon} x A={ActionDim}]");
        Guard.Length(costs.Length, rows, nameof(costs), $"[B={_batch} x N={candidates}]");
        bool gradients = !actionGradients.IsEmpty;
        if (gradients) Guard.Length(actionGradients.Length, actions.Length, nameof(actionGradients), "the shape of actions");

        int threads = Math.Min(_threads, rows);
        int chunk = (rows + threads - 1) / threads;
        EnsureWorkspaces(threads, chunk, horizon, gradients);
        if (threads == 1)
        {
            _workspaces[0].Run(this, actions, costs, actionGradients, 0, rows, candidates, horizon);
        }
        else
        {
            // Spans cannot cross into lambdas; pin the caller's memory for the duration of the parallel loop.
            unsafe
            {
                fixed (float* pa = actions, pc = costs, pg = actionGradients)
                {
                    nint a = (nint)pa, c = (nint)pc, g = (nint)pg;
                    int aLen = actions.Length, cLen = costs.Length, gLen = actionGradients.Length;
                    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                    {
                        int start = t * chunk, end = Math.Min(rows, start + chunk);
                        if (start >= end) return;
                        _workspaces[t].Run(this, new ReadOnlySpan<float>((float*)a, aLen), new Span<float>((float*)c, cLen),
                            gLen == 0 ? default : new Span<float>((float*)g, gLen), start, end, candidates, horizon);
                    });
                }
            }
        }
        _evaluations += (long)rows * horizon * (gradients ? 2 : 1);
    }

    private void EnsureWorkspaces(int threads, int rows, int horizon, bool gradients)
    {
        if (_workspaces.Length < threads) Array.Resize(ref _workspaces, threads);
        for (int t = 0; t < threads; t++)
        {
            _workspaces[t] ??= new Workspace();
            _workspaces[t].Ensure(_dynamics, rows, horizon, GoalDim, gradients);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>One thread's buffers, step-major so the dynamics sees contiguous rows.</summary>
    private sealed class Workspace
    {
        private float[] _states = [];    // [H+1 x rows x S]
        private float[] _actions = [];   // [H x rows x A]
        private float[] _tape = [];      // [H x rows x tape]
        private float[] _trajectory = []; // [H x S] one candidate, for the cost
        private float[] _plan = [];      // [H x A]
        private float[] _gradTrajectory = [];
        private float[] _gradPlan = [];
        private float[] _gradStates = [];  // [H x rows x S] cost gradients w.r.t. z_1..z_H
        private float[] _gradActionsCost = []; // [H x rows x A]
        private float[] _carry = [], _carryNext = [], _gradStep = [], _scratch = [];

        public void Ensure(IDifferentiableDynamics model, int rows, int horizon, int goalDim, bool gradients)
        {
            int s = model.StateDim, a = model.ActionDim;
            Grow(ref _states, (horizon + 1) * rows * s);
            Grow(ref _actions, horizon * rows * a);
            Grow(ref _trajectory, horizon * s);
            Grow(ref _plan, horizon * a);
            if (!gradients) return;
            Grow(ref _tape, horizon * rows * model.TapeFloatsPerRow);
            Grow(ref _gradTrajectory, horizon * s);
            Grow(ref _gradPlan, horizon * a);
            Grow(ref _gradStates, horizon * rows * s);
            Grow(ref _gradActionsCost, horizon * rows * a);
            Grow(ref _carry, rows * s);
            Grow(ref _carryNext, rows * s);
            Grow(ref _gradStep, rows * a);
            Grow(ref _scratch, rows * model.ScratchFloatsPerRow);
        }

        private static void Grow(ref float[] buffer, int length)
        {
            if (buffer.Length < length) buffer = new float[length];
        }

        public void Run(ManagedRolloutEvaluator owner, ReadOnlySpan<float> actions, Span<float> costs, Span<float> actionGradients,
            int start, int end, int candidates, int horizon)
        {
            var model = owner._dynamics;
            int s = model.StateDim, a = model.ActionDim, rows = end - start, tapeRow = model.TapeFloatsPerRow;
            bool gradients = !actionGradients.IsEmpty;
            var shape = new CostShape(horizon, s, a, owner.GoalDim);

            // Gather: initial latents and actions into step-major layout.
            for (int r = 0; r < rows; r++)
            {
                int row = start + r, b = row / candidates;
                owner._initial.AsSpan(b * s, s).CopyTo(_states.AsSpan(r * s, s));
                for (int t = 0; t < horizon; t++)
                    actions.Slice((row * horizon + t) * a, a).CopyTo(_actions.AsSpan((t * rows + r) * a, a));
            }

            for (int t = 0; t < horizon; t++)
            {
                model.Forward(_states.AsSpan(t * rows * s, rows * s), _actions.AsSpan(t * rows * a, rows * a),
                    _states.AsSpan((t + 1) * rows * s, rows * s), gradients ? _tape.AsSpan(t * rows * tapeRow, rows * tapeRow) : default, rows);
            }

            // Cost per candidate on its own trajectory.
            Span<float> traj = _trajectory.AsSpan(0, horizon * s), plan = _plan.AsSpan(0, horizon * a);
            for (int r = 0; r < rows; r++)
            {
                int row = start + r, b = row / candidates;
                for (int t = 0; t < horizon; t++) _states.AsSpan(((t + 1) * rows + r) * s, s).CopyTo(traj.Slice(t * s, s));
                actions.Slice(row * horizon * a, horizon * a).CopyTo(plan);
                Span<float> gTraj = default, gPlan = default;
                if (gradients)
                {
                    gTraj = _gradTrajectory.AsSpan(0, horizon * s);
                    gPlan = _gradPlan.AsSpan(0, horizon * a);
                    gTraj.Clear();
                    gPlan.Clear();
                }
                costs[row] = owner._cost.Accumulate(shape, traj, plan, owner._goals.AsSpan(b * owner.GoalDim, owner.GoalDim), gTraj, gPlan);
                if (!gradients) continue;
                for (int t = 0; t < horizon; t++)
                {
                    gTraj.Slice(t * s, s).CopyTo(_gradStates.AsSpan((t * rows + r) * s, s));
                    gPlan.Slice(t * a, a).CopyTo(_gradActionsCost.AsSpan((t * rows + r) * a, a));
                }
            }
            if (!gradients) return;

            // Backward through time: carry = dL/dz_{t+1}; each step adds the cost's direct gradient of z_t.
            Span<float> carry = _carry.AsSpan(0, rows * s), carryNext = _carryNext.AsSpan(0, rows * s), gStep = _gradStep.AsSpan(0, rows * a);
            _gradStates.AsSpan((horizon - 1) * rows * s, rows * s).CopyTo(carry);
            for (int t = horizon - 1; t >= 0; t--)
            {
                model.Backward(_tape.AsSpan(t * rows * tapeRow, rows * tapeRow), carry, carryNext, gStep, _scratch, rows);
                for (int r = 0; r < rows; r++)
                {
                    Span<float> dst = actionGradients.Slice(((start + r) * horizon + t) * a, a);
                    ReadOnlySpan<float> fromModel = gStep.Slice(r * a, a), fromCost = _gradActionsCost.AsSpan((t * rows + r) * a, a);
                    for (int d = 0; d < a; d++) dst[d] = fromModel[d] + fromCost[d];
                }
                if (t > 0)
                {
                    ReadOnlySpan<float> direct = _gradStates.AsSpan((t - 1) * rows * s, rows * s);
                    for (int i = 0; i < carryNext.Length; i++) carry[i] = carryNext[i] + direct[i];
                }
            }
        }
    }
}
