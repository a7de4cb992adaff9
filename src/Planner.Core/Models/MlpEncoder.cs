using Planner.Managed;
using Planner.Managed.Kernels;

namespace Planner.Models;

/// <summary>
/// A state-vector encoder for the managed backend: a plain MLP <c>O -&gt; hidden... -&gt; S</c> (perception for
/// <c>Act(observation)</c>). Read-only after construction; safe to call from many threads; allocates nothing per call
/// in steady state.
/// </summary>
public sealed unsafe class MlpEncoder : IEncoder
{
    [ThreadStatic] private static float[]? t_scratch;
    private readonly MlpStack _mlp;

    /// <summary>Creates the encoder from weights; <paramref name="level"/> forces a SIMD width (default: the best here).</summary>
    public MlpEncoder(MlpWeights weights, SimdLevel? level = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _mlp = new MlpStack(weights, level);
        Weights = weights;
    }

    /// <summary>The weights this encoder was built from.</summary>
    public MlpWeights Weights { get; }

    /// <inheritdoc />
    public int ObservationDim => _mlp.InputDim;

    /// <inheritdoc />
    public int LatentDim => _mlp.OutputDim;

    /// <summary>FLOPs (2 per multiply-add) to encode one row.</summary>
    public long FlopsPerRow => _mlp.FlopsPerRow;

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows)
    {
        Guard.AtLeast(rows, 0, nameof(rows));
        if (observations.Length < rows * ObservationDim)
            throw new ArgumentException($"observations have {observations.Length} elements; expected at least {rows * ObservationDim} ([rows={rows} x O={ObservationDim}]).", nameof(observations));
        if (latents.Length < rows * LatentDim)
            throw new ArgumentException($"latents have {latents.Length} elements; expected at least {rows * LatentDim} ([rows={rows} x S={LatentDim}]).", nameof(latents));
        if (rows == 0) return;
        int need = rows * _mlp.ScratchFloatsPerRow;
        if (t_scratch is null || t_scratch.Length < need) t_scratch = new float[need]; // once per thread and size
        fixed (float* px = observations, py = latents, ps = t_scratch)
            _mlp.Forward(px, ObservationDim, rows, py, LatentDim, null, ps);
    }
}
