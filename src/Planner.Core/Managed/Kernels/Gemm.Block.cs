// The register-blocked GEMM micro-kernel, written out so every accumulator is a local (generated once from a small script; edit by pattern).
namespace Planner.Managed.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>
    /// C[TR rows x panel] = A[TR rows x k] * Bpanel[k x TN vectors] (+ bias): TR x TN accumulators stay in registers over
    /// the whole k loop; the JIT folds the TR/TN constants so each instantiation is a straight-line kernel.
    /// </summary>
    /// <remarks>
    /// With <typeparamref name="TK"/> = <see cref="ListedK"/> only the <paramref name="k"/> inner indices listed in
    /// <paramref name="index"/> (ascending) are summed: the others are zero in every row of the block, and skipping an exact
    /// zero term changes no sum, so the result is the dense one.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Block<TV, TS, TR, TN, TK>(float* a, nint lda, float* b, int k, int* index, float* bias, float* c, nint ldc, int cols)
        where TV : struct
        where TS : struct, ISimd<TV>
        where TR : struct, IConstant
        where TN : struct, IConstant
        where TK : struct, IInnerIndex
    {
        int width = TS.Width;
        nint stride = TN.Value * width;
        float* a0 = a + 0 * lda;
        float* a1 = a + 1 * lda;
        float* a2 = a + 2 * lda;
        float* a3 = a + 3 * lda;
        TV z0 = bias == null || TN.Value <= 0 ? TS.Zero : TS.Load(bias + 0 * width);
        TV z1 = bias == null || TN.Value <= 1 ? TS.Zero : TS.Load(bias + 1 * width);
        TV z2 = bias == null || TN.Value <= 2 ? TS.Zero : TS.Load(bias + 2 * width);
        TV z3 = bias == null || TN.Value <= 3 ? TS.Zero : TS.Load(bias + 3 * width);
        TV c00 = z0, c01 = z1, c02 = z2, c03 = z3, c10 = z0, c11 = z1, c12 = z2, c13 = z3, c20 = z0, c21 = z1, c22 = z2, c23 = z3, c30 = z0, c31 = z1, c32 = z2, c33 = z3;
        for (int j = 0; j < k; j++)
        {
            int i;
            float* row;
            if (TK.Dense) { i = j; row = b; b += stride; }
            else { i = index[j]; row = b + i * stride; }
            TV b0 = TS.Load(row + 0 * width);
            TV b1 = TN.Value > 1 ? TS.Load(row + 1 * width) : default;
            TV b2 = TN.Value > 2 ? TS.Load(row + 2 * width) : default;
            TV b3 = TN.Value > 3 ? TS.Load(row + 3 * width) : default;
            TV x0 = TS.Broadcast(a0[i]);
            c00 = TS.Fma(x0, b0, c00);
            if (TN.Value > 1) c01 = TS.Fma(x0, b1, c01);
            if (TN.Value > 2) c02 = TS.Fma(x0, b2, c02);
            if (TN.Value > 3) c03 = TS.Fma(x0, b3, c03);
            if (TR.Value > 1)
            {
                TV x1 = TS.Broadcast(a1[i]);
                c10 = TS.Fma(x1, b0, c10);
                if (TN.Value > 1) c11 = TS.Fma(x1, b1, c11);
                if (TN.Value > 2) c12 = TS.Fma(x1, b2, c12);
                if (TN.Value > 3) c13 = TS.Fma(x1, b3, c13);
            }
            if (TR.Value > 2)
            {
                TV x2 = TS.Broadcast(a2[i]);
                c20 = TS.Fma(x2, b0, c20);
                if (TN.Value > 1) c21 = TS.Fma(x2, b1, c21);
                if (TN.Value > 2) c22 = TS.Fma(x2, b2, c22);
                if (TN.Value > 3) c23 = TS.Fma(x2, b3, c23);
            }
            if (TR.Value > 3)
            {
                TV x3 = TS.Broadcast(a3[i]);
                c30 = TS.Fma(x3, b0, c30);
                if (TN.Value > 1) c31 = TS.Fma(x3, b1, c31);
                if (TN.Value > 2) c32 = TS.Fma(x3, b2, c32);
                if (TN.Value > 3) c33 = TS.Fma(x3, b3, c33);
            }
        }
        if (cols == TN.Value * width)
        {
            TS.Store(c + 0 * ldc + 0 * width, c00);
            if (TN.Value > 1) TS.Store(c + 0 * ldc + 1 * width, c01);
            if (TN.Value > 2) TS.Store(c + 0 * ldc + 2 * width, c02);
            if (TN.Value > 3) TS.Store(c + 0 * ldc + 3 * width, c03);
            if (TR.Value <= 1) return;
            TS.Store(c + 1 * ldc + 0 * width, c10);
            if (TN.Value > 1) TS.Store(c + 1 * ldc + 1 * width, c11);
            if (TN.Value > 2) TS.Store(c + 1 * ldc + 2 * width, c12);
            if (TN.Value > 3) TS.Store(c + 1 * ldc + 3 * width, c13);
            if (TR.Value <= 2) return;
            TS.Store(c + 2 * ldc + 0 * width, c20);
            if (TN.Value > 1) TS.Store(c + 2 * ldc + 1 * width, c21);
            if (TN.Value > 2) TS.Store(c + 2 * ldc + 2 * width, c22);
            if (TN.Value > 3) TS.Store(c + 2 * ldc + 3 * width, c23);
            if (TR.Value <= 3) return;
            TS.Store(c + 3 * ldc + 0 * width, c30);
            if (TN.Value > 1) TS.Store(c + 3 * ldc + 1 * width, c31);
            if (TN.Value > 2) TS.Store(c + 3 * ldc + 2 * width, c32);
            if (TN.Value > 3) TS.Store(c + 3 * ldc + 3 * width, c33);
            return;
        }
        float* tmp = stackalloc float[4 * 64];
        TS.Store(tmp + 0 * width, c00);
        if (TN.Value > 1) TS.Store(tmp + 1 * width, c01);
        if (TN.Value > 2) TS.Store(tmp + 2 * width, c02);
        if (TN.Value > 3) TS.Store(tmp + 3 * width, c03);
        new ReadOnlySpan<float>(tmp, cols).CopyTo(new Span<float>(c + 0 * ldc, cols));
        if (TR.Value <= 1) return;
        TS.Store(tmp + 0 * width, c10);
        if (TN.Value > 1) TS.Store(tmp + 1 * width, c11);
        if (TN.Value > 2) TS.Store(tmp + 2 * width, c12);
        if (TN.Value > 3) TS.Store(tmp + 3 * width, c13);
        new ReadOnlySpan<float>(tmp, cols).CopyTo(new Span<float>(c + 1 * ldc, cols));
        if (TR.Value <= 2) return;
        TS.Store(tmp + 0 * width, c20);
        if (TN.Value > 1) TS.Store(tmp + 1 * width, c21);
        if (TN.Value > 2) TS.Store(tmp + 2 * width, c22);
        if (TN.Value > 3) TS.Store(tmp + 3 * width, c23);
        new ReadOnlySpan<float>(tmp, cols).CopyTo(new Span<float>(c + 2 * ldc, cols));
        if (TR.Value <= 3) return;
        TS.Store(tmp + 0 * width, c30);
        if (TN.Value > 1) TS.Store(tmp + 1 * width, c31);
        if (TN.Value > 2) TS.Store(tmp + 2 * width, c32);
        if (TN.Value > 3) TS.Store(tmp + 3 * width, c33);
        new ReadOnlySpan<float>(tmp, cols).CopyTo(new Span<float>(c + 3 * ldc, cols));
    }
}
