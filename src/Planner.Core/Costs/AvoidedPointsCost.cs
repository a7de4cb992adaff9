namespace Planner.Costs;

/// <summary>
/// Soft keep-out balls around points placed at run time, per robot: <c>Weight * sum_t sum_j max(0, Radius - ||z_t - p_j||)^2</c>
/// over the points <c>p_j</c> of the trajectory's robot (<see cref="CostShape.Robot"/>). A hierarchy records here the
/// subgoals its level below got stuck on (its stuck detection), so the next plan goes
/// around what the model wrongly thought passable, typically a wall next to a door. Each robot keeps its most recent
/// <see cref="Capacity"/> points, oldest first (a full memory drops its oldest), each with a stamp (e.g. the tick it was
/// added) so that <see cref="ForgetBefore"/> can let old ones expire. Buffers are allocated once; not thread-safe against
/// concurrent changes and planning.
/// </summary>
public sealed class AvoidedPointsCost : CostTerm
{
    private readonly float[] _points;  // [robots x capacity x dim], each robot's held points first, oldest first
    private readonly long[] _stamps;   // [robots x capacity]
    private readonly int[] _count;

    /// <summary>Creates an empty memory for <paramref name="robots"/> robots of points of size <paramref name="dim"/>.</summary>
    public AvoidedPointsCost(int robots, int dim, float radius, float weight, int capacity = 8)
    {
        Guard.AtLeast(robots, 1, nameof(robots));
        Guard.AtLeast(dim, 1, nameof(dim));
        Guard.AtLeast(capacity, 1, nameof(capacity));
        Guard.Positive(radius, nameof(radius));
        Guard.NonNegative(weight, nameof(weight));
        Robots = robots;
        Dim = dim;
        Capacity = capacity;
        Radius = radius;
        Weight = weight;
        _points = new float[robots * capacity * dim];
        _stamps = new long[robots * capacity];
        _count = new int[robots];
    }

    /// <summary>Robots B.</summary>
    public int Robots { get; }

    /// <summary>Size of a point (the latent size S).</summary>
    public int Dim { get; }

    /// <summary>Points kept per robot.</summary>
    public int Capacity { get; }

    /// <summary>Radius of each ball.</summary>
    public float Radius { get; }

    /// <summary>Weight.</summary>
    public float Weight { get; }

    /// <summary>Incremented by every change, so a backend can cache an uploaded copy.</summary>
    public int Version { get; private set; }

    /// <summary>Points currently held for <paramref name="robot"/>.</summary>
    public int CountOf(int robot) => _count[CheckRobot(robot)];

    /// <summary>The <paramref name="index"/>-th point held for <paramref name="robot"/>, oldest first.</summary>
    public ReadOnlySpan<float> PointOf(int robot, int index)
    {
        CheckRobot(robot);
        if ((uint)index >= (uint)_count[robot]) throw new ArgumentOutOfRangeException(nameof(index), index, $"robot {robot} holds {_count[robot]} point(s).");
        return _points.AsSpan((robot * Capacity + index) * Dim, Dim);
    }

    /// <summary>
    /// Copies every slot out, for backends that evaluate the term themselves: <paramref name="points"/>
    /// <c>[Robots x Capacity x Dim]</c>, <paramref name="held"/> <c>[Robots x Capacity]</c> (1 where a point is held, else 0).
    /// </summary>
    public void CopyTo(Span<float> points, Span<float> held)
    {
        Guard.Length(points.Length, _points.Length, nameof(points), $"[Robots={Robots} x Capacity={Capacity} x Dim={Dim}]");
        Guard.Length(held.Length, Robots * Capacity, nameof(held), $"[Robots={Robots} x Capacity={Capacity}]");
        _points.CopyTo(points);
        for (int b = 0; b < Robots; b++)
            for (int j = 0; j < Capacity; j++) held[b * Capacity + j] = j < _count[b] ? 1f : 0f;
    }

    /// <summary>A stamp <see cref="ForgetBefore"/> never reaches: the point is kept until cleared or pushed out by a full memory.</summary>
    public const long Kept = long.MaxValue;

    /// <summary>
    /// Adds a point for <paramref name="robot"/> with <paramref name="stamp"/> (<see cref="Kept"/>: never expires),
    /// dropping its oldest point when full.
    /// </summary>
    public void Add(int robot, ReadOnlySpan<float> point, long stamp = 0)
    {
        CheckRobot(robot);
        Guard.Length(point.Length, Dim, nameof(point), $"[S={Dim}]");
        Guard.Finite(point, nameof(point));
        if (_count[robot] == Capacity) DropOldest(robot);
        int slot = robot * Capacity + _count[robot]++;
        point.CopyTo(_points.AsSpan(slot * Dim, Dim));
        _stamps[slot] = stamp;
        Version++;
    }

    /// <summary>Forgets, for every robot, the points whose stamp is below <paramref name="stamp"/> (the others keep their order).</summary>
    public void ForgetBefore(long stamp)
    {
        bool changed = false;
        for (int b = 0; b < Robots; b++)
        {
            int first = b * Capacity, kept = 0;
            for (int i = 0; i < _count[b]; i++)
            {
                if (_stamps[first + i] < stamp) continue;
                if (kept != i)
                {
                    _points.AsSpan((first + i) * Dim, Dim).CopyTo(_points.AsSpan((first + kept) * Dim, Dim));
                    _stamps[first + kept] = _stamps[first + i];
                }
                kept++;
            }
            changed |= kept != _count[b];
            _count[b] = kept;
        }
        if (changed) Version++;
    }

    /// <summary>Forgets every robot's points.</summary>
    public void Clear()
    {
        Array.Clear(_count);
        Version++;
    }

    private void DropOldest(int robot)
    {
        int first = robot * Capacity, n = --_count[robot];
        _points.AsSpan((first + 1) * Dim, n * Dim).CopyTo(_points.AsSpan(first * Dim, n * Dim));
        _stamps.AsSpan(first + 1, n).CopyTo(_stamps.AsSpan(first, n));
    }

    private int CheckRobot(int robot)
    {
        if ((uint)robot >= (uint)Robots) throw new ArgumentOutOfRangeException(nameof(robot), robot, $"robot must be in [0, {Robots}).");
        return robot;
    }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        if (shape.StateDim != Dim)
            throw new ArgumentException($"avoided points have size {Dim}, but the latent has {shape.StateDim}.", nameof(shape));
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int robot = shape.Robot, n = _count[CheckRobot(robot)], s = Dim;
        if (n == 0) return 0;
        ReadOnlySpan<float> points = _points.AsSpan(robot * Capacity * s, n * s);
        float total = 0;
        for (int t = 0; t < shape.Horizon; t++)
        {
            ReadOnlySpan<float> z = states.Slice(t * s, s);
            Span<float> gz = gradStates.IsEmpty ? default : gradStates.Slice(t * s, s);
            for (int j = 0; j < n; j++) total += SoftBall.Accumulate(z, points.Slice(j * s, s), default, Radius, Weight, gz);
        }
        return total;
    }
}
