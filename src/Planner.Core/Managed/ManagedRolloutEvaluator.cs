using Planner.Costs;
using Planner.Models;
using Planner.Managed.Kernels;

namespace Planner.Managed;

/// <summary>
/// The managed CPU backend's rollout: unrolls an <see cref="IDifferentiableDynamics"/> over every candidate, sums the
/// cost terms and back-propagates to the actions. Rows (problem x candidate) are cut into blocks of at most
/// <see cref="ChunkRows"/> rows that the threads of a persistent <see cref="WorkerPool"/> take on demand; a thread runs a
/// block's whole rollout (forward, cost, backward), so there is no synchronisation per step and the block's activations stay in cache.
/// Buffers are sized on the first call of a shape and reused: steady-state calls allocate nothing. Results do not
/// depend on the thread count (each row is computed the same way wherever it runs).
/// </summary>
public sealed unsafe class ManagedRolloutEvaluator : IRolloutEvaluator
{
    private readonly IDifferentiableDynamics _dynamics;
    private readonly ResidualMlp? _mlp; // the common model: called with the workspace's scratch (no per-thread buffers)
    private readonly CostFunction _cost;
    private readonly WorkerPool? _pool;
    private readonly Workspace[] _workspaces;
    private readonly Job _job;
    private readonly SingleRowJob? _single;
    private readonly bool _splitSingleRow;
    private float[] _initial = [];
    private float[] _goals = [];
    private int _batch;
    private long _evaluations;

    /// <summary>
    /// Creates the evaluator. <paramref name="threads"/>: workers including the caller (1 = the calling thread only);
    /// <paramref name="chunkRows"/>: rows rolled out together per block (a cache-size trade-off; results do not depend on it);
    /// <paramref name="splitSingleRow"/>: when a gradient call has a single row (one robot, one restart), run it on two
    /// threads that share every layer's columns and meet after each layer (a <see cref="ResidualMlp"/> model and
    /// <paramref name="threads"/> &gt;= 2 only). It pays on dedicated cores; on a machine whose cores are shared with other busy
    /// processes the meetings wait for descheduled threads and it is slower, hence off by default. Results are identical either way.
    /// </summary>
    public ManagedRolloutEvaluator(IDifferentiableDynamics dynamics, CostFunction cost, int goalDim = -1, int threads = 1, int chunkRows = 16,
        bool splitSingleRow = false)
    {
        ArgumentNullException.ThrowIfNull(dynamics);
        ArgumentNullException.ThrowIfNull(cost);
        Guard.AtLeast(threads, 1, nameof(threads));
        Guard.AtLeast(chunkRows, 1, nameof(chunkRows));
        _dynamics = dynamics;
        _mlp = dynamics as ResidualMlp;
        _cost = cost;
        Threads = threads;
        ChunkRows = chunkRows;
        GoalDim = goalDim < 0 ? dynamics.StateDim : goalDim;
        cost.Validate(new CostShape(1, StateDim, ActionDim, GoalDim));
        _pool = threads > 1 ? new WorkerPool(threads) : null;
        _workspaces = new Workspace[threads];
        for (int t = 0; t < threads; t++) _workspaces[t] = new Workspace();
        _job = new Job(this);
        if (_mlp is not null) _single = new SingleRowJob(this);
        _splitSingleRow = splitSingleRow && threads > 1 && _mlp is not null;
    }

    /// <summary>Worker threads, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Rows rolled out together by one thread.</summary>
    public int ChunkRows { get; }

    /// <summary>The world model.</summary>
    public IDifferentiableDynamics Dynamics => _dynamics;

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
        if (initialLatents.Length != batch * StateDim) Guard.Length(initialLatents.Length, batch * StateDim, nameof(initialLatents), $"[B={batch} x S={StateDim}]");
        if (goals.Length != batch * GoalDim) Guard.Length(goals.Length, batch * GoalDim, nameof(goals), $"[B={batch} x G={GoalDim}]");
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
        if (actions.Length != rows * horizon * ActionDim) Guard.Length(actions.Length, rows * horizon * ActionDim, nameof(actions), $"[B={_batch} x N={candidates} x H={horizon} x A={ActionDim}]");
        if (costs.Length != rows) Guard.Length(costs.Length, rows, nameof(costs), $"[B={_batch} x N={candidates}]");
        bool gradients = !actionGradients.IsEmpty;
        if (gradients) Guard.Length(actionGradients.Length, actions.Length, nameof(actionGradients), "the shape of actions");

        if (rows == 1 && gradients && _single is not null)
        {
            // One row (one robot, one restart): a lean loop straight over the layers with no per-step gathers or copies.
            // Opt-in, two threads share every layer's output columns (a forward-only row is too short to pay for the meetings).
            _workspaces[0].Ensure(_dynamics, 1, horizon, gradients: true);
            fixed (float* pa = actions, pc = costs, pg = actionGradients)
            {
                int parts = _splitSingleRow ? 2 : 1;
                _single.Set(pa, pc, pg, candidates, horizon, parts);
                try
                {
                    if (parts == 1) _single.Execute(0);
                    else _pool!.Run(_single, parts);
                }
                finally
                {
                    _single.Clear();
                }
            }
            _evaluations += (long)horizon * (gradients ? 2 : 1);
            return;
        }

        // Blocks of rows are handed out on demand (a thread that the OS pauses does not hold up the others); block
        // boundaries depend only on the row count and the thread count, and each row is computed the same way in any block.
        int threads = Math.Min(Threads, rows);
        int chunk = Math.Min(ChunkRows, Math.Max(4, (rows + 4 * threads - 1) / (4 * threads) + 3 & ~3));
        int chunks = (rows + chunk - 1) / chunk;
        threads = Math.Min(threads, chunks);
        for (int t = 0; t < threads; t++) _workspaces[t].Ensure(_dynamics, chunk, horizon, gradients);

        fixed (float* pa = actions, pc = costs, pg = actionGradients)
        {
            _job.Set(pa, pc, gradients ? pg : null, rows, candidates, horizon, chunk, chunks);
            if (threads == 1) _job.Execute(0);
            else _pool!.Run(_job, threads);
            _job.Clear();
        }
        _evaluations += (long)rows * horizon * (gradients ? 2 : 1);
    }

    /// <summary>
    /// Essential FLOPs of one <see cref="Evaluate"/> call: the forward step of every row and step, plus the
    /// input-gradient step when gradients are asked for (the model's backward count where it reports one, else the forward count).
    /// </summary>
    public long EssentialFlops(int candidates, int horizon, bool gradients)
    {
        long rows = (long)Math.Max(_batch, 1) * candidates * horizon;
        long backward = _dynamics is ResidualMlp mlp ? mlp.BackwardFlopsPerRow : _dynamics.ForwardFlopsPerRow;
        return rows * (_dynamics.ForwardFlopsPerRow + (gradients ? backward : 0));
    }

    /// <summary>Bytes allocated so far by this evaluator's threads, the calling thread included (for allocation tests and diagnostics).</summary>
    public long AllocatedBytesOnThreads() => _pool?.AllocatedBytes() ?? GC.GetAllocatedBytesForCurrentThread();

    /// <inheritdoc />
    public void Dispose() => _pool?.Dispose();

    /// <summary>The per-call arguments handed to the workers (raw pointers: the caller's spans are pinned for the call).</summary>
    private sealed class Job(ManagedRolloutEvaluator owner) : IParallelWork
    {
        private float* _actions, _costs, _gradients;
        private int _rows, _candidates, _horizon, _chunk, _chunks, _next;

        public void Set(float* actions, float* costs, float* gradients, int rows, int candidates, int horizon, int chunk, int chunks)
        {
            _actions = actions; _costs = costs; _gradients = gradients;
            _rows = rows; _candidates = candidates; _horizon = horizon; _chunk = chunk; _chunks = chunks;
            _next = 0;
        }

        public void Clear() => _actions = _costs = _gradients = null;

        public void Execute(int worker)
        {
            var ws = owner._workspaces[worker];
            int c;
            while ((c = Interlocked.Increment(ref _next) - 1) < _chunks)
            {
                int start = c * _chunk;
                ws.Run(owner, _actions, _costs, _gradients, start, Math.Min(_rows, start + _chunk), _candidates, _horizon);
            }
        }
    }

    /// <summary>
    /// A single row's rollout with gradients, straight over the packed layers. On one thread, or split over two: each
    /// computes whole panels of every layer (forward and backward) and they meet after each layer. Each element is
    /// computed as the block path computes it, so results are identical.
    /// </summary>
    private sealed class SingleRowJob(ManagedRolloutEvaluator owner) : IParallelWork
    {
        private readonly SpinBarrier _barrier = new(2);
        private float* _actions, _costs, _gradients;
        private int _horizon, _parts;
        private volatile bool _costFailed;

        public void Set(float* actions, float* costs, float* gradients, int candidates, int horizon, int parts)
        {
            Debug.Assert(candidates == 1 && parts is 1 or 2);
            _actions = actions; _costs = costs; _gradients = gradients; _horizon = horizon; _parts = parts;
        }

        /// <summary>The parts meet (after each layer); alone, there is no one to wait for.</summary>
        private void Meet()
        {
            if (_parts > 1) _barrier.SignalAndWait();
        }

        public void Clear() => _actions = _costs = _gradients = null;

        public void Execute(int part)
        {
            var ws = owner._workspaces[0];
            fixed (float* initial = owner._initial)
                Run(part, ws, ws.States.Pointer, ws.Tape.Pointer, ws.Scratch.Pointer, ws.GradTrajectory.Pointer, initial);
        }

        private void Run(int part, Workspace ws, float* states, float* tape, float* scratch, float* gTraj, float* initial)
        {
            var model = owner._mlp!;
            var mlp = model.Stack;
            int s = model.StateDim, a = model.ActionDim, input = s + a, h = _horizon, tapeRow = model.TapeFloatsPerRow;
            int hidden = mlp.MaxHidden, last = mlp.Layers - 1;
            bool gradients = _gradients != null;
            // Scratch: x = [z, a] (reused for dL/dx backwards), then two hidden buffers.
            float* x = scratch, ping = scratch + input, pong = ping + hidden;
            if (part == 0)
            {
                new ReadOnlySpan<float>(initial, s).CopyTo(new Span<float>(states, s));
                new ReadOnlySpan<float>(initial, s).CopyTo(new Span<float>(x, s));
                new ReadOnlySpan<float>(_actions, a).CopyTo(new Span<float>(x + s, a));
            }
            Meet();
            for (int t = 0; t < h; t++)
            {
                float* tapeT = gradients ? tape + t * tapeRow : null;
                float* cur = x;
                nint ldCur = input;
                for (int l = 0; l < last; l++)
                {
                    float* output = (l & 1) == 0 ? ping : pong;
                    mlp.ForwardLayerPart(l, cur, ldCur, 1, output, mlp.OutputWidth(l), tapeT, tapeRow, part, _parts);
                    Meet();
                    cur = output;
                    ldCur = mlp.OutputWidth(l);
                }
                float* z = states + t * s, next = states + (t + 1) * s;
                (int c0, int c1) = mlp.ForwardLayerPart(last, cur, ldCur, 1, next, s, null, 0, part, _parts);
                // Residual on this part's columns, and the next step's input (x is no longer read in this step).
                var nextPart = new Span<float>(next + c0, c1 - c0);
                System.Numerics.Tensors.TensorPrimitives.Add(nextPart, new ReadOnlySpan<float>(z + c0, c1 - c0), nextPart);
                nextPart.CopyTo(new Span<float>(x + c0, c1 - c0));
                if (part == 0 && t + 1 < h) new ReadOnlySpan<float>(_actions + (t + 1) * a, a).CopyTo(new Span<float>(x + s, a));
                Meet();
            }

            var shape = new Costs.CostShape(h, s, a, owner.GoalDim);
            var plan = new ReadOnlySpan<float>(_actions, h * a);
            float* carry = ws.CarryPointer(scratch, input, hidden);
            if (part == 0)
            {
                try
                {
                    Span<float> gT = gradients ? new Span<float>(gTraj, h * s) : default, gP = gradients ? new Span<float>(_gradients, h * a) : default;
                    gT.Clear();
                    gP.Clear();
                    _costs[0] = owner._cost.Accumulate(shape, new ReadOnlySpan<float>(states + s, h * s), plan, owner._goals.AsSpan(0, owner.GoalDim), gT, gP);
                    if (gradients) gT.Slice((h - 1) * s, s).CopyTo(new Span<float>(carry, s));
                    _costFailed = false;
                }
                catch
                {
                    // A cost term (user code) threw: release the other part before the exception leaves, so nothing hangs.
                    _costFailed = true;
                    if (gradients) Meet();
                    throw;
                }
            }
            if (!gradients) return;
            Meet();
            if (_costFailed) return;

            for (int t = h - 1; t >= 0; t--)
            {
                float* tapeT = tape + t * tapeRow;
                float* cur = carry;
                nint ldCur = s;
                for (int l = last; l > 0; l--)
                {
                    float* output = ((last - l) & 1) == 0 ? ping : pong;
                    mlp.BackwardLayerPart(l, cur, ldCur, 1, tapeT, tapeRow, output, mlp.OutputWidth(l - 1), part, _parts);
                    Meet();
                    cur = output;
                    ldCur = mlp.OutputWidth(l - 1);
                }
                (int c0, int c1) = mlp.BackwardLayerPart(0, cur, ldCur, 1, tapeT, tapeRow, x, input, part, _parts);
                // dL/dz_t = dL/dz_{t+1} + dL/dx[:S] + the cost's direct gradient of z_t; dL/da_t += dL/dx[S:].
                int stateEnd = Math.Min(c1, s);
                if (c0 < stateEnd)
                {
                    var carryPart = new Span<float>(carry + c0, stateEnd - c0);
                    System.Numerics.Tensors.TensorPrimitives.Add(carryPart, new ReadOnlySpan<float>(x + c0, stateEnd - c0), carryPart);
                    if (t > 0) System.Numerics.Tensors.TensorPrimitives.Add(carryPart, new ReadOnlySpan<float>(gTraj + (t - 1) * s + c0, stateEnd - c0), carryPart);
                }
                for (int c = Math.Max(c0, s); c < c1; c++) _gradients[t * a + c - s] += x[c];
                Meet();
            }
        }
    }

    /// <summary>One thread's buffers for a block of rows, step-major so the dynamics sees contiguous rows per step.</summary>
    private sealed class Workspace
    {
        private static readonly AlignedBuffer Empty = new(0);
        // 64-byte aligned: the kernels' vector loads and stores then never split a cache line at the buffers' starts,
        // and two evaluators with the same shapes run at the same speed whatever addresses the heap gave them.
        private AlignedBuffer _states = Empty;          // [H+1 x rows x S]
        private AlignedBuffer _stepActions = Empty;     // [H x rows x A]
        private AlignedBuffer _tape = Empty;            // [H x rows x tape]
        private AlignedBuffer _trajectory = Empty;      // [H x S], one candidate, for the cost
        private AlignedBuffer _gradTrajectory = Empty;  // [H x S]
        private AlignedBuffer _gradPlan = Empty;        // [H x A]
        private AlignedBuffer _gradStates = Empty;      // [H x rows x S] the cost's direct gradient of z_1..z_H
        private AlignedBuffer _carry = Empty, _carryNext = Empty, _gradStep = Empty, _scratch = Empty;

        public AlignedBuffer States => _states;

        public AlignedBuffer Tape => _tape;

        public AlignedBuffer Scratch => _scratch;

        public AlignedBuffer GradTrajectory => _gradTrajectory;

        /// <summary>The split single-row path keeps dL/dz after the scratch it uses for x and the two hidden buffers.</summary>
        public float* CarryPointer(float* scratch, int input, int hidden) => scratch + input + 2 * hidden;

        public void Ensure(IDifferentiableDynamics model, int rows, int horizon, bool gradients)
        {
            int s = model.StateDim, a = model.ActionDim;
            Grow(ref _states, (horizon + 1) * rows * s);
            Grow(ref _stepActions, horizon * rows * a);
            Grow(ref _trajectory, horizon * s);
            // The split single-row path also keeps dL/dz (S floats) after x and the hidden buffers.
            Grow(ref _scratch, rows * model.ScratchFloatsPerRow + model.StateDim);
            if (!gradients) return;
            Grow(ref _tape, horizon * rows * model.TapeFloatsPerRow);
            Grow(ref _gradTrajectory, horizon * s);
            Grow(ref _gradPlan, horizon * a);
            Grow(ref _gradStates, horizon * rows * s);
            Grow(ref _carry, rows * s);
            Grow(ref _carryNext, rows * s);
            Grow(ref _gradStep, rows * a);
        }

        private static void Grow(ref AlignedBuffer buffer, int length)
        {
            if (buffer.Length < length) buffer = new AlignedBuffer(length);
        }

        public void Run(ManagedRolloutEvaluator owner, float* actionsPtr, float* costsPtr, float* gradientsPtr,
            int start, int end, int candidates, int horizon)
        {
            var model = owner._dynamics;
            int s = model.StateDim, a = model.ActionDim, rows = end - start, tapeRow = model.TapeFloatsPerRow, g = owner.GoalDim;
            int plan = horizon * a;
            bool gradients = gradientsPtr != null;
            var shape = new CostShape(horizon, s, a, g);
            var actions = new ReadOnlySpan<float>(actionsPtr + (long)start * plan, rows * plan);

            // Gather: initial latents and actions into step-major layout.
            for (int r = 0; r < rows; r++)
            {
                int b = (start + r) / candidates;
                owner._initial.AsSpan(b * s, s).CopyTo(_states.Span.Slice(r * s, s));
                for (int t = 0; t < horizon; t++)
                    actions.Slice(r * plan + t * a, a).CopyTo(_stepActions.Span.Slice((t * rows + r) * a, a));
            }

            for (int t = 0; t < horizon; t++)
            {
                ReadOnlySpan<float> z = _states.Span.Slice(t * rows * s, rows * s), u = _stepActions.Span.Slice(t * rows * a, rows * a);
                Span<float> next = _states.Span.Slice((t + 1) * rows * s, rows * s), tape = gradients ? _tape.Span.Slice(t * rows * tapeRow, rows * tapeRow) : default;
                if (owner._mlp is { } mlp) mlp.Forward(z, u, next, tape, _scratch.Span, rows);
                else model.Forward(z, u, next, tape, rows);
            }

            // Cost per candidate on its own trajectory; the cost's action gradient initialises the output.
            Span<float> traj = _trajectory.Span.Slice(0, horizon * s);
            var gradOut = gradients ? new Span<float>(gradientsPtr + (long)start * plan, rows * plan) : default;
            for (int r = 0; r < rows; r++)
            {
                int b = (start + r) / candidates;
                for (int t = 0; t < horizon; t++) _states.Span.Slice(((t + 1) * rows + r) * s, s).CopyTo(traj.Slice(t * s, s));
                Span<float> gTraj = default, gPlan = default;
                if (gradients)
                {
                    gTraj = _gradTrajectory.Span.Slice(0, horizon * s);
                    gPlan = gradOut.Slice(r * plan, plan);
                    gTraj.Clear();
                    gPlan.Clear();
                }
                costsPtr[start + r] = owner._cost.Accumulate(shape with { Robot = b }, traj, actions.Slice(r * plan, plan), owner._goals.AsSpan(b * g, g), gTraj, gPlan);
                if (!gradients) continue;
                for (int t = 0; t < horizon; t++) gTraj.Slice(t * s, s).CopyTo(_gradStates.Span.Slice((t * rows + r) * s, s));
            }
            if (!gradients) return;

            // Backward through time: carry = dL/dz_{t+1}; each step adds the cost's direct gradient of z_t.
            Span<float> carry = _carry.Span.Slice(0, rows * s), carryNext = _carryNext.Span.Slice(0, rows * s), gStep = _gradStep.Span.Slice(0, rows * a);
            _gradStates.Span.Slice((horizon - 1) * rows * s, rows * s).CopyTo(carry);
            for (int t = horizon - 1; t >= 0; t--)
            {
                model.Backward(_tape.Span.Slice(t * rows * tapeRow, rows * tapeRow), carry, carryNext, gStep, _scratch.Span, rows);
                for (int r = 0; r < rows; r++)
                {
                    Span<float> dst = gradOut.Slice(r * plan + t * a, a);
                    ReadOnlySpan<float> fromModel = gStep.Slice(r * a, a);
                    for (int d = 0; d < a; d++) dst[d] += fromModel[d];
                }
                if (t > 0)
                    System.Numerics.Tensors.TensorPrimitives.Add(carryNext, _gradStates.Span.Slice((t - 1) * rows * s, rows * s), carry);
            }
        }
    }
}
