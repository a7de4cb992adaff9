using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Planner.Managed.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>Largest K for which a single row is multiplied through its compacted non-zeros (the index list lives on the stack).</summary>
    private const int SparseRowMaxK = 4096;

    /// <summary>
    /// One row times B, reading only the rows of B where the input is non-zero. After a ReLU about half the inputs
    /// (and, backwards, half the masked gradients) are exactly zero, and a single row is bound by streaming B from
    /// cache, so skipping them nearly halves the time. Adding <c>0 * b</c> changes no sum, so the result equals the dense kernel's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void SparseRow<TV, TS>(float* a, PackedMatrix b, float* c, int firstPanel, int endPanel)
        where TV : struct where TS : struct, ISimd<TV>
    {
        int k = b.K, n = b.N, width = TS.Width;
        int* index = stackalloc int[k + CompactSlack];
        float* value = stackalloc float[k + CompactSlack];
        int count = Compact(a, k, index, value);
        if (CountSkipped) AddSkipped((long)(k - count) * (b.ColumnOf(endPanel) - b.ColumnOf(firstPanel)));
        for (int p = firstPanel; p < endPanel; p++)
        {
            int start = b.PanelStart(p), vectors = b.PanelVectors(p);
            int cols = Math.Min(vectors * width, n - start);
            float* pb = b.PanelData(p), bias = b.PanelBias(p), pc = c + start;
            switch (vectors)
            {
                case 4: SparseBlock<TV, TS, C4>(index, value, count, pb, bias, pc, cols); break;
                case 3: SparseBlock<TV, TS, C3>(index, value, count, pb, bias, pc, cols); break;
                case 2: SparseBlock<TV, TS, C2>(index, value, count, pb, bias, pc, cols); break;
                default: SparseBlock<TV, TS, C1>(index, value, count, pb, bias, pc, cols); break;
            }
        }
    }

    /// <summary>Floats a vector compaction may write past the last kept element.</summary>
    private const int CompactSlack = 16;

    /// <summary>
    /// Writes the positions and values of the non-zero entries of <c>a[0..k)</c> (NaN counts as non-zero, so it still
    /// propagates) in order; returns their count. The buffers need <c>k + CompactSlack</c> floats. With AVX-512, 16 entries
    /// at a time by an in-register compress (the store form is microcoded and slow on some cores); the list is the same either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    internal static int Compact(float* a, int k, int* index, float* value)
    {
        int count = 0, i = 0;
        if (Avx512F.IsSupported)
        {
            var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (; i + 16 <= k; i += 16)
            {
                var x = Vector512.Load(a + i);
                var keep = Avx512F.CompareNotEqual(x, Vector512<float>.Zero); // unordered: true for NaN
                Avx512F.Compress(Vector512<float>.Zero, keep, x).Store(value + count);
                Avx512F.Compress(Vector512<int>.Zero, keep.AsInt32(), lanes + Vector512.Create(i)).Store(index + count);
                count += BitOperations.PopCount((uint)keep.ExtractMostSignificantBits());
            }
        }
        for (; i < k; i++)
        {
            float x = a[i];
            index[count] = i;
            value[count] = x;
            count += x != 0f || float.IsNaN(x) ? 1 : 0; // branch-free compaction; NaN must still propagate
        }
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void SparseBlock<TV, TS, TN>(int* index, float* value, int count, float* b, float* bias, float* c, int cols)
        where TV : struct where TS : struct, ISimd<TV> where TN : struct, IConstant
    {
        int width = TS.Width;
        nint stride = TN.Value * width;
        TV c0 = bias == null || TN.Value <= 0 ? TS.Zero : TS.Load(bias + 0 * width);
        TV c1 = bias == null || TN.Value <= 1 ? TS.Zero : TS.Load(bias + 1 * width);
        TV c2 = bias == null || TN.Value <= 2 ? TS.Zero : TS.Load(bias + 2 * width);
        TV c3 = bias == null || TN.Value <= 3 ? TS.Zero : TS.Load(bias + 3 * width);
        for (int j = 0; j < count; j++)
        {
            float* row = b + index[j] * stride;
            TV x = TS.Broadcast(value[j]);
            c0 = TS.Fma(x, TS.Load(row + 0 * width), c0);
            if (TN.Value > 1) c1 = TS.Fma(x, TS.Load(row + 1 * width), c1);
            if (TN.Value > 2) c2 = TS.Fma(x, TS.Load(row + 2 * width), c2);
            if (TN.Value > 3) c3 = TS.Fma(x, TS.Load(row + 3 * width), c3);
        }
        if (cols == TN.Value * width)
        {
            TS.Store(c + 0 * width, c0);
            if (TN.Value > 1) TS.Store(c + 1 * width, c1);
            if (TN.Value > 2) TS.Store(c + 2 * width, c2);
            if (TN.Value > 3) TS.Store(c + 3 * width, c3);
            return;
        }
        float* tmp = stackalloc float[4 * 64];
        TS.Store(tmp + 0 * width, c0);
        if (TN.Value > 1) TS.Store(tmp + 1 * width, c1);
        if (TN.Value > 2) TS.Store(tmp + 2 * width, c2);
        if (TN.Value > 3) TS.Store(tmp + 3 * width, c3);
        new ReadOnlySpan<float>(tmp, cols).CopyTo(new Span<float>(c, cols));
    }
}
