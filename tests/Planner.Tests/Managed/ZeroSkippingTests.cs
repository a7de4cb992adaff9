using Planner.Managed.Kernels;

namespace Planner.Tests.Managed;

/// <summary>
/// The zero-skipping GEMM paths (one row; blocks of rows whose inputs come out of a ReLU) against the dense kernel, and the
/// vector compaction against a scalar reference: skipping exact-zero terms must not change any result.
/// </summary>
public unsafe class ZeroSkippingTests
{
    private static IEnumerable<SimdLevel> Levels() => Enum.GetValues<SimdLevel>().Where(SimdSupport.IsSupported);

    /// <summary>A with ReLU-like zeros: some inner indices zero in every row, the rest zero at random.</summary>
    private static float[] SparseA(int m, int k, int seed)
    {
        float[] a = Reference.Random(m * k, seed);
        var rng = new Planner.Numerics.DeterministicRandom((ulong)seed);
        var deadEverywhere = new bool[k];
        for (int i = 0; i < k; i++) deadEverywhere[i] = rng.NextFloat() < 0.4f;
        for (int r = 0; r < m; r++)
            for (int i = 0; i < k; i++)
                if (deadEverywhere[i] || rng.NextFloat() < 0.3f) a[r * k + i] = 0f;
        return a;
    }

    private static float[] Multiply(float[] a, int m, int k, PackedMatrix b, bool skip, int lda = -1)
    {
        lda = lda < 0 ? k : lda;
        var c = new float[m * b.N];
        fixed (float* pa = a, pc = c) Gemm.Multiply(pa, lda, m, b, pc, b.N, skip);
        return c;
    }

    [TestCaseSource(nameof(Levels))]
    public void SkippingZeroColumnsGivesTheDenseResultBitForBit(SimdLevel level)
    {
        foreach (int k in new[] { 0, 1, 15, 16, 17, 36, 67, 256 })
            foreach (int n in new[] { 1, 5, 32, 36, 67, 256 })
                foreach (int m in new[] { 2, 3, 4, 5, 7, 9, 16 })
                {
                    float[] a = SparseA(m, k, 1000 * k + n + m);
                    var b = PackedMatrix.FromRowMajor(Reference.Random(k * n, k + n), k, n, Reference.Random(n, n), level);
                    float[] dense = Multiply(a, m, k, b, skip: false), skipped = Multiply(a, m, k, b, skip: true);
                    Assert.That(skipped, Is.EqualTo(dense), $"{level} m={m} k={k} n={n}");
                    double[] exact = Reference.MatMul(a, Reference.Random(k * n, k + n), m, k, n, Reference.Random(n, n));
                    for (int i = 0; i < exact.Length; i++)
                        Assert.That(skipped[i], Is.EqualTo(exact[i]).Within(1e-5 * (k + 1)), $"{level} m={m} k={k} n={n} element {i}");
                }
    }

    [TestCaseSource(nameof(Levels))]
    public void EachRowIsTheSameWhateverRowsShareItsBlock(SimdLevel level)
    {
        // Which inner indices a block skips depends on its other rows; a row's result must not.
        const int k = 70, n = 40, m = 12;
        float[] a = SparseA(m, k, 5);
        var b = PackedMatrix.FromRowMajor(Reference.Random(k * n, 6), k, n, Reference.Random(n, 7), level);
        float[] all = Multiply(a, m, k, b, skip: true);
        for (int r = 0; r < m; r++)
        {
            float[] one = Multiply(a.AsSpan(r * k, k).ToArray(), 1, k, b, skip: true);
            Assert.That(one, Is.EqualTo(all.AsSpan(r * n, n).ToArray()), $"row {r}");
        }
    }

    [TestCaseSource(nameof(Levels))]
    public void NonFiniteInputsStillPropagate(SimdLevel level)
    {
        const int k = 40, n = 20, m = 6;
        float[] a = new float[m * k]; // all zero: only the bias would come out
        a[2 * k + 33] = float.NaN;
        a[4 * k + 3] = float.PositiveInfinity;
        var b = PackedMatrix.FromRowMajor(Reference.Random(k * n, 8), k, n, Reference.Random(n, 9), level);
        float[] c = Multiply(a, m, k, b, skip: true);
        for (int j = 0; j < n; j++)
        {
            Assert.That(c[2 * n + j], Is.NaN, "a NaN input reaches every output of its row");
            Assert.That(float.IsInfinity(c[4 * n + j]), Is.True, "an infinite input reaches every output of its row");
            Assert.That(c[0 * n + j], Is.EqualTo(Reference.Random(n, 9)[j]), "an all-zero row gives the bias");
        }
    }

    [Test]
    public void TheSkipCounterCountsTheZeroTermsOfEachBlock()
    {
        const int k = 50, n = 37, m = 7;
        float[] a = SparseA(m, k, 21);
        var b = PackedMatrix.FromRowMajor(Reference.Random(k * n, 22), k, n);
        long expected = 0;
        for (int r0 = 0; r0 < m; r0 += 4)
        {
            int rows = Math.Min(4, m - r0);
            int zeroInAll = Enumerable.Range(0, k).Count(i => Enumerable.Range(r0, rows).All(r => a[r * k + i] == 0f));
            expected += (long)zeroInAll * rows * n;
        }
        long single = Enumerable.Range(0, k).Count(i => a[i] == 0f) * (long)n;
        try
        {
            Gemm.ResetSkipped();
            Gemm.CountSkipped = true;
            Multiply(a, m, k, b, skip: true);
            Assert.That(Gemm.SkippedMultiplyAdds, Is.EqualTo(expected), "blocks of rows");
            Gemm.ResetSkipped();
            Multiply(a, 1, k, b, skip: false);
            Assert.That(Gemm.SkippedMultiplyAdds, Is.EqualTo(single), "a single row");
            Gemm.ResetSkipped();
            Multiply(a, m, k, b, skip: false);
            Assert.That(Gemm.SkippedMultiplyAdds, Is.Zero, "the dense kernel skips nothing");
        }
        finally
        {
            Gemm.CountSkipped = false;
            Gemm.ResetSkipped();
        }
    }

    [Test]
    public void CompactionListsTheNonZerosInOrder()
    {
        foreach (int k in new[] { 0, 1, 15, 16, 17, 31, 33, 64, 100, 257 })
        {
            float[] a = SparseA(4, k, k + 3);
            if (k > 5) { a[5] = float.NaN; a[k - 1] = -0f; a[k / 2] = float.NegativeInfinity; }
            var index = new int[k + 16];
            int count;
            for (int rows = 1; rows <= 4; rows++)
            {
                fixed (float* pa = a)
                fixed (int* pi = index)
                    count = Gemm.CompactUnion(pa, k, rows, k, pi);
                var union = Enumerable.Range(0, k).Where(i => Enumerable.Range(0, rows).Any(r => a[r * k + i] != 0f)).ToArray();
                Assert.That(index.Take(count), Is.EqualTo(union), $"k={k} rows={rows} union");
            }
        }
    }
}
