using System.Numerics.Tensors;
using Planner.Managed;
using Planner.Managed.Kernels;

namespace Planner.Models;

/// <summary>
/// The managed residual MLP world model <c>z' = z + MLP([z, a])</c>, layers <c>(S+A) -&gt; hidden... -&gt; S</c>, with its
/// input vector-Jacobian product (dL/dz, dL/da). The same <see cref="MlpWeights"/> as the Torch
/// <c>ResidualMlpDynamics</c>, so both backends compute the same function. Weights are packed once and read-only:
/// one instance serves any number of threads.
/// </summary>
public sealed unsafe class ResidualMlp : IDifferentiableDynamics
{
    [ThreadStatic] private static float[]? t_scratch;
    private readonly MlpStack _mlp;

    /// <summary>Creates the model from weights mapping <c>S+A -&gt; S</c>; <paramref name="level"/> forces a SIMD width (default: the best here).</summary>
    public ResidualMlp(int stateDim, int actionDim, MlpWeights weights, SimdLevel? level = null)
    {
        Guard.AtLeast(stateDim, 1, nameof(stateDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        if (weights.InputDim != stateDim + actionDim || weights.OutputDim != stateDim)
            throw new ArgumentException($"weights map {weights.InputDim} -> {weights.OutputDim}; a residual model with S={stateDim}, A={actionDim} needs {stateDim + actionDim} -> {stateDim}.", nameof(weights));
        StateDim = stateDim;
        ActionDim = actionDim;
        Weights = weights;
        _mlp = new MlpStack(weights, level);
    }

    /// <summary>The packed layers, for the evaluator's split single-row rollout.</summary>
    internal MlpStack Stack => _mlp;

    /// <summary>Layer sizes <c>[S+A, hidden..., S]</c> of a residual model (the Torch model uses this too).</summary>
    public static int[] Sizes(int stateDim, int actionDim, IReadOnlyList<int> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var sizes = new int[hidden.Count + 2];
        sizes[0] = stateDim + actionDim;
        for (int i = 0; i < hidden.Count; i++) sizes[i + 1] = hidden[i];
        sizes[^1] = stateDim;
        return sizes;
    }

    /// <summary>The weights this model was built from.</summary>
    public MlpWeights Weights { get; }

    /// <inheritdoc />
    public int StateDim { get; }

    /// <inheritdoc />
    public int ActionDim { get; }

    /// <inheritdoc />
    public int TapeFloatsPerRow => _mlp.TapeFloatsPerRow;

    /// <inheritdoc />
    public int ScratchFloatsPerRow => StateDim + ActionDim + _mlp.ScratchFloatsPerRow;

    /// <summary>FLOPs (2 per multiply-add) of one row's forward step.</summary>
    public long ForwardFlopsPerRow => _mlp.FlopsPerRow;

    /// <summary>FLOPs of one row's input-gradient (vector-Jacobian) step: every layer's transpose product, the same count as forward.</summary>
    public long BackwardFlopsPerRow => _mlp.FlopsPerRow;

    /// <inheritdoc />
    /// <remarks>Uses a per-thread scratch buffer, allocated on a thread's first call of a size; the overload with a
    /// caller-owned scratch never allocates.</remarks>
    public void Forward(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> next, Span<float> tape, int rows)
    {
        int need = Math.Max(rows, 0) * ScratchFloatsPerRow;
        if (t_scratch is null || t_scratch.Length < need) t_scratch = new float[need];
        Forward(states, actions, next, tape, t_scratch, rows);
    }

    /// <summary>
    /// The forward step with a caller-owned <paramref name="scratch"/> of at least <c>rows x ScratchFloatsPerRow</c> floats
    /// (the same scratch <see cref="Backward"/> takes): allocates nothing.
    /// </summary>
    public void Forward(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> next, Span<float> tape, Span<float> scratch, int rows)
    {
        int s = StateDim, a = ActionDim, input = s + a;
        CheckRows(rows, states.Length, actions.Length, next.Length);
        if (!tape.IsEmpty && tape.Length < rows * TapeFloatsPerRow)
            throw new ArgumentException($"tape has {tape.Length} elements; expected at least {rows * TapeFloatsPerRow} (rows={rows} x TapeFloatsPerRow={TapeFloatsPerRow}) or none.", nameof(tape));
        if (scratch.Length < rows * ScratchFloatsPerRow)
            throw new ArgumentException($"scratch has {scratch.Length} elements; expected at least {rows * ScratchFloatsPerRow} (rows={rows} x ScratchFloatsPerRow={ScratchFloatsPerRow}).", nameof(scratch));
        if (rows == 0) return;
        Span<float> x = scratch[..(rows * input)];
        for (int r = 0; r < rows; r++)
        {
            states.Slice(r * s, s).CopyTo(x.Slice(r * input, s));
            actions.Slice(r * a, a).CopyTo(x.Slice(r * input + s, a));
        }
        fixed (float* px = scratch, py = next, pt = tape)
            _mlp.Forward(px, input, rows, py, s, pt, px + rows * input);
        TensorPrimitives.Add(next[..(rows * s)], states[..(rows * s)], next[..(rows * s)]);
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> tape, ReadOnlySpan<float> gradNext, Span<float> gradStates, Span<float> gradActions, Span<float> scratch, int rows)
    {
        int s = StateDim, a = ActionDim, input = s + a;
        CheckRows(rows, gradNext.Length, gradActions.Length, gradStates.Length);
        if (tape.Length < rows * TapeFloatsPerRow)
            throw new ArgumentException($"tape has {tape.Length} elements; expected at least {rows * TapeFloatsPerRow} (rows={rows} x TapeFloatsPerRow={TapeFloatsPerRow}), from Forward.", nameof(tape));
        if (scratch.Length < rows * ScratchFloatsPerRow)
            throw new ArgumentException($"scratch has {scratch.Length} elements; expected at least {rows * ScratchFloatsPerRow} (rows={rows} x ScratchFloatsPerRow={ScratchFloatsPerRow}).", nameof(scratch));
        fixed (float* pt = tape, pg = gradNext, px = scratch)
            _mlp.Backward(pg, s, rows, pt, px, input, px + rows * input);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> gx = scratch.Slice(r * input, input);
            TensorPrimitives.Add(gradNext.Slice(r * s, s), gx[..s], gradStates.Slice(r * s, s));
            gx.Slice(s, a).CopyTo(gradActions.Slice(r * a, a));
        }
    }

    private void CheckRows(int rows, int statesLength, int actionsLength, int outLength)
    {
        Guard.AtLeast(rows, 0, nameof(rows));
        int s = StateDim, a = ActionDim;
        if (statesLength < rows * s) throw new ArgumentException($"states have {statesLength} elements; expected at least {rows * s} ([rows={rows} x S={s}]).", "states");
        if (actionsLength < rows * a) throw new ArgumentException($"actions have {actionsLength} elements; expected at least {rows * a} ([rows={rows} x A={a}]).", "actions");
        if (outLength < rows * s) throw new ArgumentException($"output has {outLength} elements; expected at least {rows * s} ([rows={rows} x S={s}]).", "next");
    }
}
