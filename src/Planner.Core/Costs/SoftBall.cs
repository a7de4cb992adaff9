namespace Planner.Costs;

/// <summary>The soft keep-out ball shared by keep-out terms: <c>weight * max(0, radius - ||z[dims] - center||)^2</c>.</summary>
internal static class SoftBall
{
    /// <summary>
    /// Cost of latent <paramref name="z"/> against one ball, its gradient added into <paramref name="gradZ"/> (skipped
    /// when empty). <paramref name="dims"/> picks the coordinates of <paramref name="z"/> matched to
    /// <paramref name="center"/>; empty means the first <c>center.Length</c>.
    /// </summary>
    public static float Accumulate(ReadOnlySpan<float> z, ReadOnlySpan<float> center, ReadOnlySpan<int> dims, float radius, float weight, Span<float> gradZ)
    {
        float sq = 0;
        for (int i = 0; i < center.Length; i++) { float d = z[dims.IsEmpty ? i : dims[i]] - center[i]; sq += d * d; }
        float dist = MathF.Sqrt(sq + 1e-12f);
        float depth = radius - dist;
        if (depth <= 0) return 0;
        if (!gradZ.IsEmpty)
        {
            float scale = -2 * weight * depth / dist;
            for (int i = 0; i < center.Length; i++)
            {
                int j = dims.IsEmpty ? i : dims[i];
                gradZ[j] += scale * (z[j] - center[i]);
            }
        }
        return weight * depth * depth;
    }
}
