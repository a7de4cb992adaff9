using Planner.Managed.Kernels;

namespace Planner.Tests.Managed;

public class GemmTests
{
    private static IEnumerable<SimdLevel> Levels() => Enum.GetValues<SimdLevel>().Where(SimdSupport.IsSupported);

    private static void Check(SimdLevel level, int m, int k, int n, bool bias, int padA = 0, int padC = 0)
    {
        float[] a = Reference.Random(m * k, m * 1000 + k), b = Reference.Random(k * n, k * 1000 + n + 1);
        float[]? bv = bias ? Reference.Random(n, n + 7) : null;
        var packed = PackedMatrix.FromRowMajor(b, k, n, bv, level);
        int lda = k + padA, ldc = n + padC;
        var aStrided = new float[Math.Max(0, m * lda)];
        for (int i = 0; i < m; i++) a.AsSpan(i * k, k).CopyTo(aStrided.AsSpan(i * lda, k));
        var c = new float[Math.Max(0, m * ldc)];
        Array.Fill(c, float.NaN); // every valid output must be written
        Gemm.Multiply(aStrided, lda, m, packed, c, ldc);
        double[] expected = Reference.MatMul(a, b, m, k, n, bv);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double e = expected[i * n + j], tol = 1e-5 * (k + 1) + 1e-6 * Math.Abs(e);
                if (!(Math.Abs(c[i * ldc + j] - e) <= tol))
                    Assert.Fail($"{level} m={m} k={k} n={n}: C[{i},{j}] = {c[i * ldc + j]}, expected {e}");
            }
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++)
                Assert.That(c[i * ldc + j], Is.NaN, $"{level}: wrote outside row {i}'s N={n} columns");
    }

    [TestCaseSource(nameof(Levels))]
    public void EveryRowCountZeroTo67(SimdLevel level)
    {
        for (int m = 0; m <= 67; m++) Check(level, m, 19, 37, bias: m % 2 == 0, padA: 3, padC: 5);
    }

    [TestCaseSource(nameof(Levels))]
    public void EveryInnerLengthZeroTo67(SimdLevel level)
    {
        for (int k = 0; k <= 67; k++) Check(level, 6, k, 35, bias: k % 2 == 1);
    }

    [TestCaseSource(nameof(Levels))]
    public void EveryColumnCountZeroTo67(SimdLevel level)
    {
        for (int n = 0; n <= 67; n++) Check(level, 7, 13, n, bias: n % 2 == 0, padC: 2);
    }

    [TestCaseSource(nameof(Levels))]
    public void HiddenLayerShape(SimdLevel level) => Check(level, 33, 256, 256, bias: true);

    [TestCaseSource(nameof(Levels))]
    public void RowsWithManyZerosMatchTheDenseResultExactly(SimdLevel level)
    {
        // A single row takes the zero-skipping path; multi-row blocks take the dense one. Both must agree bit for bit.
        const int k = 67, n = 45, m = 5;
        float[] a = Reference.Random(m * k, 99), b = Reference.Random(k * n, 98);
        for (int i = 0; i < a.Length; i++) if (i % 3 != 0) a[i] = 0f;
        var packed = PackedMatrix.FromRowMajor(b, k, n, Reference.Random(n, 97), level);
        var all = new float[m * n];
        Gemm.Multiply(a, k, m, packed, all, n);
        for (int r = 0; r < m; r++)
        {
            var one = new float[n];
            Gemm.Multiply(a.AsSpan(r * k, k), k, 1, packed, one, n);
            Assert.That(one, Is.EqualTo(all.AsSpan(r * n, n).ToArray()), $"row {r}");
        }
        a[5] = float.NaN;
        var nan = new float[n];
        Gemm.Multiply(a.AsSpan(0, k), k, 1, packed, nan, n);
        Assert.That(nan.All(float.IsNaN), Is.True, "a NaN input reaches every output");
    }

    [Test]
    public void TransposedPackingComputesTheLayerForward()
    {
        // W [Out=5 x In=3]; C = A * W^T.
        float[] w = Reference.Random(15, 3), a = Reference.Random(4 * 3, 4);
        var wt = new float[15];
        for (int o = 0; o < 5; o++) for (int i = 0; i < 3; i++) wt[i * 5 + o] = w[o * 3 + i];
        var c = new float[20];
        Gemm.Multiply(a, 3, 4, PackedMatrix.FromTransposed(w, 5, 3), c, 5);
        Reference.AssertClose(c, Reference.MatMul(a, wt, 4, 3, 5), 1e-5, "C");
    }

    [Test]
    public void BadShapesThrowNamingTheArgument()
    {
        var packed = PackedMatrix.FromRowMajor(new float[6], 2, 3);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[3], 2, 2, packed, new float[6], 3));
        Assert.That(ex!.ParamName, Is.EqualTo("a"));
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], 2, 2, packed, new float[5], 3));
        Assert.That(ex!.ParamName, Is.EqualTo("c"));
        Assert.Throws<ArgumentException>(() => PackedMatrix.FromRowMajor(new float[5], 2, 3));
    }
}
