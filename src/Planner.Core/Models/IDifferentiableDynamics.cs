namespace Planner.Models;

/// <summary>
/// A world model's transition <c>z' = f(z, a)</c> for the managed CPU backend, on batches of rows, with its
/// vector-Jacobian product. Forward writes what the backward pass needs into a caller-owned tape, so one instance
/// (read-only weights) serves any number of threads at once.
/// </summary>
public interface IDifferentiableDynamics
{
    /// <summary>Latent size S.</summary>
    int StateDim { get; }

    /// <summary>Action size A.</summary>
    int ActionDim { get; }

    /// <summary>Tape floats needed per row and step.</summary>
    int TapeFloatsPerRow { get; }

    /// <summary>Scratch floats needed per row by <see cref="Backward"/>.</summary>
    int ScratchFloatsPerRow { get; }

    /// <summary>FLOPs (2 per multiply-add) per row of one forward step, for efficiency reports.</summary>
    long ForwardFlopsPerRow { get; }

    /// <summary>Forward step: <paramref name="states"/> <c>[rows x S]</c>, <paramref name="actions"/> <c>[rows x A]</c> into <paramref name="next"/> <c>[rows x S]</c>; fills <paramref name="tape"/> <c>[rows x TapeFloatsPerRow]</c> (may be empty when no backward pass follows).</summary>
    void Forward(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> next, Span<float> tape, int rows);

    /// <summary>
    /// Backward step: from the tape of the forward step and <paramref name="gradNext"/> = dL/dz' <c>[rows x S]</c>, writes
    /// dL/dz into <paramref name="gradStates"/> <c>[rows x S]</c> and dL/da into <paramref name="gradActions"/> <c>[rows x A]</c> (overwriting).
    /// </summary>
    void Backward(ReadOnlySpan<float> tape, ReadOnlySpan<float> gradNext, Span<float> gradStates, Span<float> gradActions, Span<float> scratch, int rows);
}
