namespace Planner.Costs;

/// <summary>A learned (trainable) value of a final latent: cost-to-go beyond the horizon. Implementations must be thread-safe for reads.</summary>
public interface ITerminalValue
{
    /// <summary>Latent size it expects.</summary>
    int StateDim { get; }

    /// <summary>Returns V(z) and, when <paramref name="gradient"/> is not empty, adds <c>scale * dV/dz</c> into it.</summary>
    float Evaluate(ReadOnlySpan<float> latent, Span<float> gradient, float scale);
}

/// <summary>The slot for a learned terminal value: <c>Weight * V(z_H)</c>.</summary>
public sealed class TerminalValueCost : CostTerm
{
    /// <summary>Creates the term.</summary>
    public TerminalValueCost(ITerminalValue value, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(value);
        Guard.NonNegative(weight, nameof(weight));
        Value = value;
        Weight = weight;
    }

    /// <summary>The value function.</summary>
    public ITerminalValue Value { get; }

    /// <summary>Weight.</summary>
    public float Weight { get; }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        if (Value.StateDim != shape.StateDim)
            throw new ArgumentException($"terminal value expects latents of size {Value.StateDim}; the model's are {shape.StateDim}.", "value");
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int s = shape.StateDim, last = (shape.Horizon - 1) * s;
        Span<float> grad = gradStates.IsEmpty ? default : gradStates.Slice(last, s);
        return Weight * Value.Evaluate(states.Slice(last, s), grad, Weight);
    }
}

/// <summary>A quadratic terminal value <c>V(z) = ||z - c||^2_W</c> (diagonal W): the simplest learned critic, and a test fixture.</summary>
public sealed class QuadraticTerminalValue : ITerminalValue
{
    private readonly float[] _center, _weights;

    /// <summary>Creates it from a centre and diagonal weights.</summary>
    public QuadraticTerminalValue(float[] center, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(weights);
        Guard.Length(weights.Length, center.Length, nameof(weights), "one weight per latent coordinate");
        _center = (float[])center.Clone();
        _weights = (float[])weights.Clone();
    }

    /// <inheritdoc />
    public int StateDim => _center.Length;

    /// <summary>Centre.</summary>
    public IReadOnlyList<float> Center => _center;

    /// <summary>Diagonal weights.</summary>
    public IReadOnlyList<float> Weights => _weights;

    /// <inheritdoc />
    public float Evaluate(ReadOnlySpan<float> latent, Span<float> gradient, float scale)
    {
        float v = 0;
        for (int i = 0; i < _center.Length; i++)
        {
            float d = latent[i] - _center[i];
            v += _weights[i] * d * d;
            if (!gradient.IsEmpty) gradient[i] += scale * 2 * _weights[i] * d;
        }
        return v;
    }
}
