namespace Planner.Models;

/// <summary>Linear dynamics <c>x' = A x + B u</c> (row-major A <c>[S x S]</c>, B <c>[S x A]</c>): the linear-quadratic test bed.</summary>
public sealed class LinearDynamics : IDifferentiableDynamics
{
    private readonly float[] _a, _b;

    /// <summary>Creates the model; throws on wrong sizes or non-finite entries.</summary>
    public LinearDynamics(float[] a, float[] b, int stateDim, int actionDim)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Guard.AtLeast(stateDim, 1, nameof(stateDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        Guard.Length(a.Length, stateDim * stateDim, nameof(a), $"[S={stateDim} x S={stateDim}] row-major");
        Guard.Length(b.Length, stateDim * actionDim, nameof(b), $"[S={stateDim} x A={actionDim}] row-major");
        Guard.Finite(a, nameof(a));
        Guard.Finite(b, nameof(b));
        _a = (float[])a.Clone();
        _b = (float[])b.Clone();
        StateDim = stateDim;
        ActionDim = actionDim;
    }

    /// <summary>The state matrix A, row-major.</summary>
    public ReadOnlySpan<float> A => _a;

    /// <summary>The input matrix B, row-major.</summary>
    public ReadOnlySpan<float> B => _b;

    /// <inheritdoc />
    public int StateDim { get; }

    /// <inheritdoc />
    public int ActionDim { get; }

    /// <inheritdoc />
    public int TapeFloatsPerRow => 0;

    /// <inheritdoc />
    public int ScratchFloatsPerRow => 0;

    /// <inheritdoc />
    public long ForwardFlopsPerRow => 2L * StateDim * (StateDim + ActionDim);

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> next, Span<float> tape, int rows)
    {
        int s = StateDim, a = ActionDim;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = states.Slice(r * s, s), u = actions.Slice(r * a, a);
            Span<float> y = next.Slice(r * s, s);
            for (int i = 0; i < s; i++)
            {
                float sum = 0;
                for (int j = 0; j < s; j++) sum += _a[i * s + j] * x[j];
                for (int j = 0; j < a; j++) sum += _b[i * a + j] * u[j];
                y[i] = sum;
            }
        }
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> tape, ReadOnlySpan<float> gradNext, Span<float> gradStates, Span<float> gradActions, Span<float> scratch, int rows)
    {
        int s = StateDim, a = ActionDim;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> g = gradNext.Slice(r * s, s);
            Span<float> gx = gradStates.Slice(r * s, s), gu = gradActions.Slice(r * a, a);
            gx.Clear();
            gu.Clear();
            for (int i = 0; i < s; i++)
            {
                float gi = g[i];
                for (int j = 0; j < s; j++) gx[j] += _a[i * s + j] * gi;
                for (int j = 0; j < a; j++) gu[j] += _b[i * a + j] * gi;
            }
        }
    }
}
