namespace Planner;

/// <summary>Argument validation with messages that name the argument, the value and what was expected.</summary>
public static class Guard
{
    /// <summary>Throws unless <paramref name="value"/> is at least <paramref name="minimum"/>.</summary>
    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= {minimum}, got {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and strictly positive.</summary>
    public static void Positive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0, got {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and non-negative.</summary>
    public static void NonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0, got {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> lies in [lo, hi].</summary>
    public static void InRange(double value, double lo, double hi, string name)
    {
        if (!(value >= lo && value <= hi))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{lo}, {hi}], got {value}.");
    }

    /// <summary>Throws unless the span has exactly <paramref name="expected"/> elements.</summary>
    public static void Length(int actual, int expected, string name, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected} ({shape}).", name);
    }

    /// <summary>
    /// Throws unless the span has exactly <paramref name="expected"/> elements. The shape text is an interpolated string
    /// that is only formatted when the check fails, so per-tick calls allocate nothing.
    /// </summary>
    public static void Length(int actual, int expected, string name,
        [InterpolatedStringHandlerArgument("actual", "expected")] ref ShapeTextHandler shape)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected} ({shape.ToStringAndClear()}).", name);
    }


    /// <summary>Throws if any element is NaN or infinite, naming the first offending index.</summary>
    public static void Finite(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}; expected a finite number.", name);
        }
    }

    /// <summary>Index of the first non-finite element, or -1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}

/// <summary>Builds a shape description for <see cref="Guard.Length(int, int, string, ref ShapeTextHandler)"/> only when the lengths differ.</summary>
[InterpolatedStringHandler]
public ref struct ShapeTextHandler
{
    private DefaultInterpolatedStringHandler _inner;
    private readonly bool _enabled;

    /// <summary>Called by the compiler; formats only when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    public ShapeTextHandler(int literalLength, int formattedCount, int actual, int expected, out bool shouldAppend)
    {
        _enabled = actual != expected;
        shouldAppend = _enabled;
        _inner = _enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    /// <summary>Appends literal text.</summary>
    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    /// <summary>Appends a formatted value.</summary>
    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    /// <summary>The text, or empty when the check passed.</summary>
    public string ToStringAndClear() => _enabled ? _inner.ToStringAndClear() : "";
}
