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
        int count = CompactUnion(a, 0, 1, k, index);
        if (CountSkipped) AddSkipped((long)(k - count) * (b.ColumnOf(endPanel) - b.ColumnOf(firstPanel)));
        for (int p = firstPanel; p < endPanel; p++)
        {
            int start = b.PanelStart(p), vectors = b.PanelVectors(p);
            int cols = Math.Min(vectors * width, n - start);
            float* pb = b.PanelData(p), bias = b.PanelBias(p), pc = c + start;
            switch (vectors)
            {
                case 4: SparseBlock<TV, TS, C4>(index, a, count, pb, bias, pc, cols); break;
                case 3: SparseBlock<TV, TS, C3>(index, a, count, pb, bias, pc, cols); break;
                case 2: SparseBlock<TV, TS, C2>(index, a, count, pb, bias, pc, cols); break;
                default: SparseBlock<TV, TS, C1>(index, a, count, pb, bias, pc, cols); break;
            }
        }
    }

    /// <summary>Floats a vector compaction may write past the last kept element.</summary>
    private const int CompactSlack = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void SparseBlock<TV, TS, TN>(int* index, float* a, int count, float* b, float* bias, float* c, int cols)
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
            int i = index[j];
            float* row = b + i * stride;
            TV x = TS.Broadcast(a[i]);
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
