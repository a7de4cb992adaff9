using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Planner.Managed.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Rows outside, panels inside: each block of up to 4 rows lists once the inner indices where any of its rows is
    /// non-zero, then every panel is swept over that list only. After a ReLU the same hidden units tend to be off for
    /// neighbouring rows (candidates of one problem start from the same state), so whole inner indices drop out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void ListedRows<TV, TS>(float* a, nint lda, int m, PackedMatrix b, float* c, nint ldc, int firstPanel, int endPanel)
        where TV : struct where TS : struct, ISimd<TV>
    {
        int k = b.K;
        int* index = stackalloc int[k + CompactSlack];
        bool counting = CountSkipped;
        for (int r = 0; r < m; r += 4)
        {
            int rows = Math.Min(4, m - r);
            float* ar = a + r * lda, cr = c + r * ldc;
            int count = CompactUnion(ar, lda, rows, k, index);
            if (counting) AddSkipped((long)(k - count) * rows * (b.ColumnOf(endPanel) - b.ColumnOf(firstPanel)));
            switch (rows)
            {
                case 4: ListedPanels<TV, TS, C4>(ar, lda, b, index, count, cr, ldc, firstPanel, endPanel); break;
                case 3: ListedPanels<TV, TS, C3>(ar, lda, b, index, count, cr, ldc, firstPanel, endPanel); break;
                case 2: ListedPanels<TV, TS, C2>(ar, lda, b, index, count, cr, ldc, firstPanel, endPanel); break;
                default: ListedPanels<TV, TS, C1>(ar, lda, b, index, count, cr, ldc, firstPanel, endPanel); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ListedPanels<TV, TS, TR>(float* a, nint lda, PackedMatrix b, int* index, int count, float* c, nint ldc, int firstPanel, int endPanel)
        where TV : struct where TS : struct, ISimd<TV> where TR : struct, IConstant
    {
        int k = b.K, n = b.N, width = TS.Width;
        bool dense = count == k; // nothing to skip: the plain kernel walks B without the index
        for (int p = firstPanel; p < endPanel; p++)
        {
            int start = b.PanelStart(p), vectors = b.PanelVectors(p);
            int cols = Math.Min(vectors * width, n - start);
            float* pb = b.PanelData(p), bias = b.PanelBias(p), pc = c + start;
            if (dense)
            {
                switch (vectors)
                {
                    case 4: Block<TV, TS, TR, C4, DenseK>(a, lda, pb, k, null, bias, pc, ldc, cols); break;
                    case 3: Block<TV, TS, TR, C3, DenseK>(a, lda, pb, k, null, bias, pc, ldc, cols); break;
                    case 2: Block<TV, TS, TR, C2, DenseK>(a, lda, pb, k, null, bias, pc, ldc, cols); break;
                    default: Block<TV, TS, TR, C1, DenseK>(a, lda, pb, k, null, bias, pc, ldc, cols); break;
                }
            }
            else
            {
                switch (vectors)
                {
                    case 4: Block<TV, TS, TR, C4, ListedK>(a, lda, pb, count, index, bias, pc, ldc, cols); break;
                    case 3: Block<TV, TS, TR, C3, ListedK>(a, lda, pb, count, index, bias, pc, ldc, cols); break;
                    case 2: Block<TV, TS, TR, C2, ListedK>(a, lda, pb, count, index, bias, pc, ldc, cols); break;
                    default: Block<TV, TS, TR, C1, ListedK>(a, lda, pb, count, index, bias, pc, ldc, cols); break;
                }
            }
        }
    }

    /// <summary>
    /// Writes, ascending, the inner indices <c>i &lt; k</c> where any of the <paramref name="rows"/> rows of A (stride
    /// <paramref name="lda"/>) is non-zero (NaN counts as non-zero); returns their count. <paramref name="index"/> needs
    /// <c>k + CompactSlack</c> entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    internal static int CompactUnion(float* a, nint lda, int rows, int k, int* index)
    {
        int count = 0, i = 0;
        if (Avx512F.IsSupported)
        {
            var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var zero = Vector512<float>.Zero;
            for (; i + 16 <= k; i += 16)
            {
                var keep = Avx512F.CompareNotEqual(Vector512.Load(a + i), zero); // unordered: true for NaN
                for (int r = 1; r < rows; r++) keep |= Avx512F.CompareNotEqual(Vector512.Load(a + r * lda + i), zero);
                Avx512F.Compress(Vector512<int>.Zero, keep.AsInt32(), lanes + Vector512.Create(i)).Store(index + count);
                count += BitOperations.PopCount((uint)keep.ExtractMostSignificantBits());
            }
        }
        for (; i < k; i++)
        {
            bool any = false;
            for (int r = 0; r < rows; r++) any |= a[r * lda + i] != 0f; // NaN != 0 is true: NaN still propagates
            index[count] = i;
            count += any ? 1 : 0;
        }
        return count;
    }
}
