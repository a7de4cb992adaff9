using System.Runtime.Intrinsics;

namespace Planner.Managed.Kernels;

/// <summary>
/// Blocked, vectorised matrix multiply <c>C[m x N] = A[m x K] * B[K x N] (+ bias)</c> with B pre-packed
/// (<see cref="PackedMatrix"/>). Each column panel of B is swept by every 4-row block of A with a 4 x (up to 4 vectors)
/// register block, so a panel is read from cache once per four rows and the accumulators never leave registers.
/// Allocates nothing; any m, K, N (including 0 and ragged tails) is handled.
/// </summary>
public static unsafe partial class Gemm
{
    private static long s_skipped;

    /// <summary>
    /// Diagnostics (benchmarks, tests): while true, the kernels count the multiply-adds of the dense product that they skip
    /// because an input was an exact zero (<see cref="SkippedMultiplyAdds"/>). Off by default: counting costs an atomic add per row block.
    /// </summary>
    public static bool CountSkipped { get; set; }

    /// <summary>Multiply-adds skipped for exact-zero inputs while <see cref="CountSkipped"/> was on, over all threads.</summary>
    public static long SkippedMultiplyAdds => Interlocked.Read(ref s_skipped);

    /// <summary>Sets <see cref="SkippedMultiplyAdds"/> back to zero.</summary>
    public static void ResetSkipped() => Interlocked.Exchange(ref s_skipped, 0);

    private static void AddSkipped(long multiplyAdds)
    {
        if (multiplyAdds > 0) Interlocked.Add(ref s_skipped, multiplyAdds);
    }

    /// <summary>Multiply-adds times two for an <c>[m x K] * [K x N]</c> product.</summary>
    public static long Flops(long m, long k, long n) => 2 * m * k * n;

    /// <summary>
    /// <c>C = A * B (+ bias)</c>: <paramref name="a"/> holds <paramref name="m"/> rows of length <c>b.K</c> at stride
    /// <paramref name="lda"/>; <paramref name="c"/> receives m rows of length <c>b.N</c> at stride <paramref name="ldc"/> (overwritten).
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, int lda, int m, PackedMatrix b, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        Guard.AtLeast(m, 0, nameof(m));
        Guard.AtLeast(lda, b.K, nameof(lda));
        Guard.AtLeast(ldc, b.N, nameof(ldc));
        if (m == 0) return;
        long needA = (long)(m - 1) * lda + b.K, needC = (long)(m - 1) * ldc + b.N;
        if (a.Length < needA) throw new ArgumentException($"a has {a.Length} elements; expected at least {needA} (m={m} rows of K={b.K} at stride {lda}).", nameof(a));
        if (c.Length < needC) throw new ArgumentException($"c has {c.Length} elements; expected at least {needC} (m={m} rows of N={b.N} at stride {ldc}).", nameof(c));
        fixed (float* pa = a, pc = c) Multiply(pa, lda, m, b, pc, ldc);
    }

    /// <summary>
    /// The unchecked form of <see cref="Multiply(ReadOnlySpan{float}, int, int, PackedMatrix, Span{float}, int)"/> for hot loops.
    /// <paramref name="skipZeroColumns"/>: A has many exact zeros (it comes out of a ReLU), so each block of rows first lists
    /// the inner indices that are non-zero in any of its rows and sums only those (the result is the same).
    /// </summary>
    internal static void Multiply(float* a, nint lda, int m, PackedMatrix b, float* c, nint ldc, bool skipZeroColumns = false) =>
        MultiplyPanels(a, lda, m, b, c, ldc, 0, b.Panels, skipZeroColumns);

    /// <summary>Only the output columns of panels <c>[firstPanel, endPanel)</c> (for splitting one product over threads).</summary>
    internal static void MultiplyPanels(float* a, nint lda, int m, PackedMatrix b, float* c, nint ldc, int firstPanel, int endPanel, bool skipZeroColumns = false)
    {
        if (m <= 0 || b.N == 0 || firstPanel >= endPanel) return;
        switch (b.Level)
        {
            case SimdLevel.Vector512: Run<Vector512<float>, Simd512>(a, lda, m, b, c, ldc, firstPanel, endPanel, skipZeroColumns); break;
            case SimdLevel.Vector256: Run<Vector256<float>, Simd256>(a, lda, m, b, c, ldc, firstPanel, endPanel, skipZeroColumns); break;
            case SimdLevel.Vector128: Run<Vector128<float>, Simd128>(a, lda, m, b, c, ldc, firstPanel, endPanel, skipZeroColumns); break;
            default: Run<float, SimdScalar>(a, lda, m, b, c, ldc, firstPanel, endPanel, skipZeroColumns); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TV, TS>(float* a, nint lda, int m, PackedMatrix b, float* c, nint ldc, int firstPanel, int endPanel, bool skipZeroColumns)
        where TV : struct where TS : struct, ISimd<TV>
    {
        int k = b.K, n = b.N, width = TS.Width;
        if (m == 1 && k <= SparseRowMaxK)
        {
            SparseRow<TV, TS>(a, b, c, firstPanel, endPanel);
            return;
        }
        if (skipZeroColumns && k <= SparseRowMaxK)
        {
            ListedRows<TV, TS>(a, lda, m, b, c, ldc, firstPanel, endPanel);
            return;
        }
        for (int p = firstPanel; p < endPanel; p++)
        {
            int start = b.PanelStart(p), vectors = b.PanelVectors(p);
            int cols = Math.Min(vectors * width, n - start);
            float* pb = b.PanelData(p), bias = b.PanelBias(p), pc = c + start;
            switch (vectors)
            {
                case 4: Rows<TV, TS, C4>(a, lda, m, pb, k, bias, pc, ldc, cols); break;
                case 3: Rows<TV, TS, C3>(a, lda, m, pb, k, bias, pc, ldc, cols); break;
                case 2: Rows<TV, TS, C2>(a, lda, m, pb, k, bias, pc, ldc, cols); break;
                default: Rows<TV, TS, C1>(a, lda, m, pb, k, bias, pc, ldc, cols); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TV, TS, TN>(float* a, nint lda, int m, float* b, int k, float* bias, float* c, nint ldc, int cols)
        where TV : struct where TS : struct, ISimd<TV> where TN : struct, IConstant
    {
        int r = 0;
        for (; r + 4 <= m; r += 4) Block<TV, TS, C4, TN, DenseK>(a + r * lda, lda, b, k, null, bias, c + r * ldc, ldc, cols);
        switch (m - r)
        {
            case 3: Block<TV, TS, C3, TN, DenseK>(a + r * lda, lda, b, k, null, bias, c + r * ldc, ldc, cols); break;
            case 2: Block<TV, TS, C2, TN, DenseK>(a + r * lda, lda, b, k, null, bias, c + r * ldc, ldc, cols); break;
            case 1: Block<TV, TS, C1, TN, DenseK>(a + r * lda, lda, b, k, null, bias, c + r * ldc, ldc, cols); break;
        }
    }
}
