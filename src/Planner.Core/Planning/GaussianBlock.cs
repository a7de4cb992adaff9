using System.Numerics.Tensors;
using Planner.Numerics;

namespace Planner.Planning;

/// <summary>
/// Standard normal samples a block at a time, for the sampling planners. The uniforms come from the problem's
/// <see cref="DeterministicRandom"/> stream exactly as <see cref="DeterministicRandom.NextGaussian"/> draws them (two per
/// pair, cosine value first), and the Box-Muller transform runs vectorised over the whole block (log, square root,
/// sine and cosine from <see cref="TensorPrimitives"/>): the values are the scalar generator's up to float rounding of
/// those functions, several times faster. Buffers are sized once; filling allocates nothing.
/// </summary>
internal sealed class GaussianBlock
{
    private readonly float[] _u1, _u2, _sin, _cos;

    /// <summary>Creates a generator for blocks of up to <paramref name="capacity"/> samples.</summary>
    public GaussianBlock(int capacity)
    {
        Guard.AtLeast(capacity, 0, nameof(capacity));
        int pairs = (capacity + 1) / 2;
        _u1 = new float[pairs];
        _u2 = new float[pairs];
        _sin = new float[pairs];
        _cos = new float[pairs];
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal samples drawn from <paramref name="rng"/>.</summary>
    public void Fill(ref DeterministicRandom rng, Span<float> destination)
    {
        int pairs = (destination.Length + 1) / 2;
        if (pairs > _u1.Length) Guard.AtLeast(_u1.Length * 2, destination.Length, nameof(destination));
        Span<float> u1 = _u1.AsSpan(0, pairs), u2 = _u2.AsSpan(0, pairs), sin = _sin.AsSpan(0, pairs), cos = _cos.AsSpan(0, pairs);
        for (int k = 0; k < pairs; k++)
        {
            u1[k] = 1f - rng.NextFloat(); // (0, 1]
            u2[k] = rng.NextFloat();
        }
        // r = sqrt(-2 ln u1), theta = 2 pi u2; the pair is (r cos theta, r sin theta), as in the scalar generator.
        TensorPrimitives.Log(u1, u1);
        TensorPrimitives.Multiply(u1, -2f, u1);
        TensorPrimitives.Sqrt(u1, u1);
        TensorPrimitives.Multiply(u2, 2f * MathF.PI, u2);
        TensorPrimitives.SinCos(u2, sin, cos);
        TensorPrimitives.Multiply(u1, cos, cos);
        TensorPrimitives.Multiply(u1, sin, sin);
        int even = destination.Length / 2;
        for (int k = 0; k < even; k++)
        {
            destination[2 * k] = cos[k];
            destination[2 * k + 1] = sin[k];
        }
        if ((destination.Length & 1) != 0) destination[^1] = cos[pairs - 1];
    }
}
