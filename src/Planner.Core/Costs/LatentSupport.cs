using System.Numerics.Tensors;

namespace Planner.Costs;

/// <summary>
/// Where a world model has data, in its latent space: K anchor latents chosen by farthest-point sampling from the
/// encoded training observations, and the covering radius (every encoded training latent is within it of an anchor).
/// Used by <see cref="DataSupportCost"/>.
/// </summary>
public sealed class LatentSupport
{
    private readonly float[] _anchors;

    /// <summary>Creates a support from anchors <c>[K x S]</c> and a radius.</summary>
    public LatentSupport(float[] anchors, int latentDim, float radius)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        Guard.AtLeast(latentDim, 1, nameof(latentDim));
        if (anchors.Length == 0 || anchors.Length % latentDim != 0)
            throw new ArgumentException($"anchors must be a non-empty [K x S={latentDim}] array; got {anchors.Length} floats.", nameof(anchors));
        Guard.Finite(anchors, nameof(anchors));
        Guard.NonNegative(radius, nameof(radius));
        if (!float.IsFinite(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "radius must be finite.");
        _anchors = (float[])anchors.Clone();
        LatentDim = latentDim;
        Radius = radius;
    }

    /// <summary>Latent size S.</summary>
    public int LatentDim { get; }

    /// <summary>Anchors K.</summary>
    public int Count => _anchors.Length / LatentDim;

    /// <summary>Covering radius.</summary>
    public float Radius { get; }

    /// <summary>Anchors <c>[K x S]</c>.</summary>
    public ReadOnlySpan<float> Anchors => _anchors;

    internal float[] AnchorArray => _anchors;

    /// <summary>
    /// Picks <paramref name="count"/> anchors from <paramref name="latents"/> <c>[N x S]</c> by farthest-point
    /// sampling (the first is latent 0; each next one is the latent farthest from all chosen so far), so rare regions
    /// are covered as well as dense ones. The radius is the largest distance of any latent to its nearest anchor,
    /// times <paramref name="radiusScale"/>. Deterministic.
    /// </summary>
    public static LatentSupport FromLatents(ReadOnlySpan<float> latents, int latentDim, int count, float radiusScale = 1f)
    {
        Guard.AtLeast(latentDim, 1, nameof(latentDim));
        Guard.AtLeast(count, 1, nameof(count));
        Guard.Positive(radiusScale, nameof(radiusScale));
        if (latents.Length == 0 || latents.Length % latentDim != 0)
            throw new ArgumentException($"latents must be a non-empty [N x S={latentDim}] array; got {latents.Length} floats.", nameof(latents));
        Guard.Finite(latents, nameof(latents));
        int n = latents.Length / latentDim, s = latentDim;
        count = Math.Min(count, n);
        var anchors = new float[count * s];
        var nearest = new float[n]; // squared distance of each latent to its nearest chosen anchor
        Array.Fill(nearest, float.PositiveInfinity);
        int next = 0;
        for (int k = 0; k < count; k++)
        {
            var anchor = latents.Slice(next * s, s);
            anchor.CopyTo(anchors.AsSpan(k * s, s));
            float farthest = -1;
            for (int i = 0; i < n; i++)
            {
                float d = TensorPrimitives.Distance(latents.Slice(i * s, s), anchor);
                d *= d;
                if (d < nearest[i]) nearest[i] = d;
                if (nearest[i] > farthest) { farthest = nearest[i]; next = i; }
            }
        }
        float radius = MathF.Sqrt(TensorPrimitives.Max<float>(nearest));
        return new LatentSupport(anchors, s, radius * radiusScale);
    }

    /// <summary>Index of the anchor nearest to <paramref name="z"/> and its squared distance.</summary>
    internal static int Nearest(ReadOnlySpan<float> anchors, ReadOnlySpan<float> z, out float squared)
    {
        int s = z.Length, best = 0;
        squared = float.PositiveInfinity;
        for (int k = 0, offset = 0; offset < anchors.Length; k++, offset += s)
        {
            float d = TensorPrimitives.Distance(anchors.Slice(offset, s), z);
            d *= d;
            if (d < squared) { squared = d; best = k; }
        }
        return best;
    }
}
