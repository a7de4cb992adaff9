namespace Planner.Numerics;

/// <summary>
/// A small, fast, seedable generator (xoshiro128** seeded by SplitMix64) whose stream is the same on every platform and
/// runtime, so a seed reproduces a plan. A struct: no allocation, no virtual calls.
/// </summary>
public struct DeterministicRandom
{
    private uint _s0, _s1, _s2, _s3;
    private float _spare;
    private bool _hasSpare;

    /// <summary>Seeds the generator.</summary>
    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = (uint)SplitMix(ref x); _s1 = (uint)SplitMix(ref x); _s2 = (uint)SplitMix(ref x); _s3 = (uint)SplitMix(ref x);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
        _spare = 0; _hasSpare = false;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 32 random bits.</summary>
    public uint NextUInt()
    {
        uint result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    /// <summary>Uniform in [lo, hi).</summary>
    public float NextFloat(float lo, float hi) => lo + (hi - lo) * NextFloat();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((ulong)NextUInt() * (ulong)n >> 32);

    /// <summary>Standard normal sample (Box-Muller, both values used).</summary>
    public float NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        float u1 = 1f - NextFloat(); // (0, 1]
        float u2 = NextFloat();
        float r = MathF.Sqrt(-2f * MathF.Log(u1));
        float theta = 2f * MathF.PI * u2;
        _spare = r * MathF.Sin(theta);
        _hasSpare = true;
        return r * MathF.Cos(theta);
    }

    /// <summary>Fills a span with standard normal samples.</summary>
    public void FillGaussian(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = NextGaussian();
    }
}
