using BenchmarkDotNet.Attributes;
using Planner.Managed.Kernels;

namespace Planner.Benchmarks;

/// <summary>The GEMM kernel at the rollout's hidden-layer shape <c>[Rows x 256] * [256 x 256]</c>, per SIMD width.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private PackedMatrix _b = null!;
    private float[] _a = [], _c = [];

    /// <summary>Rows of A (1 takes the zero-skipping single-row path; the input here has no zeros).</summary>
    [Params(1, 4, 32, 128)]
    public int Rows;

    /// <summary>Vector width.</summary>
    [ParamsSource(nameof(Levels))]
    public SimdLevel Level;

    /// <summary>The levels this machine runs in hardware.</summary>
    public static IEnumerable<SimdLevel> Levels() => Enum.GetValues<SimdLevel>().Where(SimdSupport.IsSupported);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Planner.Numerics.DeterministicRandom(1);
        var b = new float[256 * 256];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextFloat(-1, 1);
        _b = PackedMatrix.FromRowMajor(b, 256, 256, default, Level);
        _a = new float[Rows * 256];
        for (int i = 0; i < _a.Length; i++) _a[i] = rng.NextFloat(-1, 1);
        _c = new float[Rows * 256];
    }

    /// <summary>One product; FLOPs = 2 x Rows x 256 x 256.</summary>
    [Benchmark]
    public void Multiply() => Gemm.Multiply(_a, 256, Rows, _b, _c, 256);
}
