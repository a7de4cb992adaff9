namespace Planner;

/// <summary>Per-dimension box bounds on actions, <c>Low[i] &lt;= a[i] &lt;= High[i]</c>. Every planner returns actions inside them.</summary>
public sealed class ActionBounds
{
    private readonly float[] _low;
    private readonly float[] _high;

    /// <summary>Creates bounds; throws if the lengths differ, a value is NaN, or <c>low[i] &gt; high[i]</c>.</summary>
    public ActionBounds(ReadOnlySpan<float> low, ReadOnlySpan<float> high)
    {
        if (low.Length == 0) throw new ArgumentException("low must have at least one element (one per action dimension).", nameof(low));
        Guard.Length(high.Length, low.Length, nameof(high), "one upper bound per action dimension, like low");
        for (int i = 0; i < low.Length; i++)
        {
            if (float.IsNaN(low[i])) throw new ArgumentException($"low[{i}] is NaN; expected a number or -infinity.", nameof(low));
            if (float.IsNaN(high[i])) throw new ArgumentException($"high[{i}] is NaN; expected a number or +infinity.", nameof(high));
            if (low[i] > high[i])
                throw new ArgumentException($"low[{i}] = {low[i]} is greater than high[{i}] = {high[i]}; expected low <= high.", nameof(low));
        }
        _low = low.ToArray();
        _high = high.ToArray();
    }

    /// <summary>The same bounds <c>[low, high]</c> on each of <paramref name="actionDim"/> dimensions.</summary>
    public static ActionBounds Uniform(int actionDim, float low, float high)
    {
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        var lo = new float[actionDim];
        var hi = new float[actionDim];
        Array.Fill(lo, low);
        Array.Fill(hi, high);
        return new ActionBounds(lo, hi);
    }

    /// <summary>No bounds on any of <paramref name="actionDim"/> dimensions.</summary>
    public static ActionBounds Unbounded(int actionDim) => Uniform(actionDim, float.NegativeInfinity, float.PositiveInfinity);

    /// <summary>Number of action dimensions.</summary>
    public int Dimension => _low.Length;

    /// <summary>Lower bounds, one per dimension.</summary>
    public ReadOnlySpan<float> Low => _low;

    /// <summary>Upper bounds, one per dimension.</summary>
    public ReadOnlySpan<float> High => _high;

    /// <summary>True when every dimension has finite bounds.</summary>
    public bool IsFinite
    {
        get
        {
            for (int i = 0; i < _low.Length; i++)
                if (!float.IsFinite(_low[i]) || !float.IsFinite(_high[i])) return false;
            return true;
        }
    }

    /// <summary>Clamps a flat sequence of actions (any number of whole actions) into the box. NaN becomes the box centre (or 0).</summary>
    public void Clamp(Span<float> actions)
    {
        int a = _low.Length;
        for (int i = 0; i < actions.Length; i++)
        {
            int d = i % a;
            float v = actions[i];
            if (float.IsNaN(v)) v = SafeValue(d);
            actions[i] = Math.Clamp(v, _low[d], _high[d]);
        }
    }

    /// <summary>True when every element of the flat action sequence is finite and inside the box.</summary>
    public bool Contains(ReadOnlySpan<float> actions)
    {
        int a = _low.Length;
        for (int i = 0; i < actions.Length; i++)
        {
            int d = i % a;
            if (!float.IsFinite(actions[i]) || actions[i] < _low[d] || actions[i] > _high[d]) return false;
        }
        return true;
    }

    /// <summary>The safe default value of dimension <paramref name="d"/>: 0 clamped into the box.</summary>
    public float SafeValue(int d) => Math.Clamp(0f, _low[d], _high[d]);

    /// <summary>Width of dimension <paramref name="d"/> used to scale sampling noise: the box width if finite, else 2.</summary>
    public float Scale(int d) => float.IsFinite(_high[d] - _low[d]) ? _high[d] - _low[d] : 2f;
}
