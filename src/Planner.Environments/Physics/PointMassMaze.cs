using Planner.Environments.Mazes;
using Planner.Numerics;

namespace Planner.Environments.Physics;

/// <summary>
/// Continuous 2-D point mass in a <see cref="MazeLayout"/>. State <c>[x, y, vx, vy]</c> in raw world units (position in
/// cells, velocity in units/s); action <c>[ax, ay]</c> clamped to [-1, 1] (NaN counts as 0). Stateless and thread-safe:
/// <see cref="Step(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> steps any number of environments from
/// caller-owned spans without allocating. Walls never let the point through, at any speed: each axis move is swept
/// cell by cell against the walls (axis-separated resolution).
/// </summary>
public sealed class PointMassMaze
{
    /// <summary>Floats per state: x, y, vx, vy.</summary>
    public const int StateDim = 4;

    /// <summary>Floats per action: ax, ay.</summary>
    public const int ActionDim = 2;

    /// <summary>Gap kept between the point and a wall it hits, so float rounding never puts it inside the wall.</summary>
    public const float Skin = 1e-3f;

    private readonly float _dt, _accel, _keep, _maxSpeed;
    private readonly double _r;

    /// <summary>Creates the environment dynamics for a layout.</summary>
    public PointMassMaze(MazeLayout layout, PointMassOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        options ??= new PointMassOptions();
        options.Validate();
        Layout = layout;
        Options = options;
        _dt = options.TimeStep;
        _accel = options.Acceleration;
        _keep = 1f - options.Damping * options.TimeStep;
        _maxSpeed = options.MaxSpeed;
        _r = options.Radius;
    }

    /// <summary>The maze.</summary>
    public MazeLayout Layout { get; }

    /// <summary>The dynamics settings.</summary>
    public PointMassOptions Options { get; }

    /// <summary>
    /// Steps N environments: <paramref name="states"/> <c>[N x 4]</c>, <paramref name="actions"/> <c>[N x 2]</c>,
    /// <paramref name="nextStates"/> <c>[N x 4]</c> (may be the same memory as <paramref name="states"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Span lengths disagree, or a state is not finite or lies outside the grid.</exception>
    public void Step(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> nextStates)
    {
        if (states.Length % StateDim != 0)
            throw new ArgumentException($"states has {states.Length} elements; expected a multiple of {StateDim} ([N x 4]: x, y, vx, vy).", nameof(states));
        int n = states.Length / StateDim;
        if (actions.Length != n * ActionDim) Guard.Length(actions.Length, n * ActionDim, nameof(actions), $"[N={n} x 2]");   // shape text only on failure: no allocation per call
        if (nextStates.Length != n * StateDim) Guard.Length(nextStates.Length, n * StateDim, nameof(nextStates), $"[N={n} x 4]");   // shape text only on failure: no allocation per call
        for (int i = 0; i < n; i++)
            StepOne(states.Slice(i * StateDim, StateDim), actions.Slice(i * ActionDim, ActionDim), nextStates.Slice(i * StateDim, StateDim), i);
    }

    private void StepOne(ReadOnlySpan<float> s, ReadOnlySpan<float> a, Span<float> next, int index)
    {
        float x = s[0], y = s[1], vx = s[2], vy = s[3];
        if (!(float.IsFinite(x) && float.IsFinite(y) && float.IsFinite(vx) && float.IsFinite(vy)))
            throw new ArgumentException($"states[{index}] = ({x}, {y}, {vx}, {vy}) is not finite; expected finite x, y, vx, vy.", "states");
        if (x < 0 || y < 0 || x > Layout.Width || y > Layout.Height)
            throw new ArgumentException($"states[{index}] position ({x}, {y}) is outside the {Layout.Width} x {Layout.Height} grid of layout '{Layout.Name}'.", "states");
        float ax = ClampAction(a[0]), ay = ClampAction(a[1]);

        vx = (vx + _accel * ax * _dt) * _keep;
        vy = (vy + _accel * ay * _dt) * _keep;
        float speed = MathF.Sqrt(vx * vx + vy * vy);
        if (speed > _maxSpeed)
        {
            float scale = _maxSpeed / speed;
            vx *= scale;
            vy *= scale;
        }

        double nx = SweepX(x, y, (double)vx * _dt, out bool hitX);
        if (hitX) vx = 0;
        double ny = SweepY(nx, y, (double)vy * _dt, out bool hitY);
        if (hitY) vy = 0;
        next[0] = (float)nx;
        next[1] = (float)ny;
        next[2] = vx;
        next[3] = vy;
    }

    private static float ClampAction(float a) => float.IsNaN(a) ? 0f : Math.Clamp(a, -1f, 1f);

    /// <summary>Moves x by dx with y fixed; stops at the first wall column the point's square would enter.</summary>
    private double SweepX(double x, double y, double dx, out bool hit)
    {
        hit = false;
        if (dx == 0) return x;
        var layout = Layout;
        BandOf(y, out int rowLo, out int rowHi);
        if (dx > 0)
        {
            double front0 = x + _r, front1 = x + dx + _r;
            int first = (int)Math.Ceiling(front0);
            int last = (int)Math.Min(Math.Ceiling(front1) - 1, layout.Width);   // column Width (outside) is wall
            for (int c = first; c <= last; c++)
            {
                if (!AnyWallInColumn(c, rowLo, rowHi)) continue;
                hit = true;
                return Math.Max(x, c - _r - Skin);   // never backwards: x may already sit within the skin
            }
        }
        else
        {
            double back0 = x - _r, back1 = x + dx - _r;
            int first = (int)Math.Floor(back0) - 1;
            int last = (int)Math.Max(Math.Floor(back1), -1);                      // column -1 (outside) is wall
            for (int c = first; c >= last; c--)
            {
                if (!AnyWallInColumn(c, rowLo, rowHi)) continue;
                hit = true;
                return Math.Min(x, c + 1 + _r + Skin);
            }
        }
        return x + dx;
    }

    /// <summary>Moves y by dy with x fixed; stops at the first wall row the point's square would enter.</summary>
    private double SweepY(double x, double y, double dy, out bool hit)
    {
        hit = false;
        if (dy == 0) return y;
        var layout = Layout;
        BandOf(x, out int colLo, out int colHi);
        if (dy > 0)
        {
            double front0 = y + _r, front1 = y + dy + _r;
            int first = (int)Math.Ceiling(front0);
            int last = (int)Math.Min(Math.Ceiling(front1) - 1, layout.Height);
            for (int r = first; r <= last; r++)
            {
                if (!AnyWallInRow(r, colLo, colHi)) continue;
                hit = true;
                return Math.Max(y, r - _r - Skin);
            }
        }
        else
        {
            double back0 = y - _r, back1 = y + dy - _r;
            int first = (int)Math.Floor(back0) - 1;
            int last = (int)Math.Max(Math.Floor(back1), -1);
            for (int r = first; r >= last; r--)
            {
                if (!AnyWallInRow(r, colLo, colHi)) continue;
                hit = true;
                return Math.Min(y, r + 1 + _r + Skin);
            }
        }
        return y + dy;
    }

    /// <summary>Cells overlapped along the other axis by the square [p - r, p + r] (at least the cell containing p).</summary>
    private void BandOf(double p, out int lo, out int hi)
    {
        int own = (int)Math.Floor(p);
        lo = Math.Min((int)Math.Floor(p - _r), own);
        hi = Math.Max((int)Math.Ceiling(p + _r) - 1, own);
    }

    private bool AnyWallInColumn(int c, int rowLo, int rowHi)
    {
        for (int r = rowLo; r <= rowHi; r++)
            if (Layout.IsWall(c, r)) return true;
        return false;
    }

    private bool AnyWallInRow(int r, int colLo, int colHi)
    {
        for (int c = colLo; c <= colHi; c++)
            if (Layout.IsWall(c, r)) return true;
        return false;
    }

    /// <summary>
    /// True when the point's square (half-size <see cref="PointMassOptions.Radius"/>) at (x, y) overlaps no wall cell
    /// and lies inside the grid: a legal position for a state.
    /// </summary>
    public bool IsValidPosition(float x, float y)
    {
        if (!float.IsFinite(x) || !float.IsFinite(y)) return false;
        BandOf(x, out int c0, out int c1);
        BandOf(y, out int r0, out int r1);
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++)
                if (Layout.IsWall(c, r)) return false;
        return true;
    }

    /// <summary>
    /// A random legal position inside <paramref name="cell"/>: the centre plus a uniform offset of up to
    /// <paramref name="jitter"/> (a fraction of the largest offset that keeps the point inside the cell) per axis.
    /// </summary>
    public (float X, float Y) RandomPositionIn(CellIndex cell, ref DeterministicRandom random, float jitter = 1f)
    {
        if (!Layout.IsFree(cell)) throw new ArgumentException($"cell {cell} is not a free cell of layout '{Layout.Name}'.", nameof(cell));
        Guard.InRange(jitter, 0, 1, nameof(jitter));
        float margin = (0.5f - (float)_r - 2 * Skin) * jitter;
        var (cx, cy) = cell.Center;
        return (cx + random.NextFloat(-margin, margin), cy + random.NextFloat(-margin, margin));
    }

    /// <summary>Writes a resting state <c>[x, y, 0, 0]</c>, checking that (x, y) is a legal position.</summary>
    public void WriteRestingState(float x, float y, Span<float> state)
    {
        Guard.Length(state.Length, StateDim, nameof(state), "[x, y, vx, vy]");
        if (!IsValidPosition(x, y))
            throw new ArgumentException($"position ({x}, {y}) is not a legal position in layout '{Layout.Name}' (inside or touching a wall, or outside the grid).", nameof(x));
        state[0] = x; state[1] = y; state[2] = 0; state[3] = 0;
    }
}
