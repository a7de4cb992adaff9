using System.Runtime.Intrinsics;

namespace Planner.Managed.Kernels;

/// <summary>The vector width a kernel runs at. Every level computes the same sums in the same order per output element.</summary>
public enum SimdLevel
{
    /// <summary>Plain scalar code: the portable reference, always available.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE / NEON).</summary>
    Vector128,

    /// <summary>256-bit vectors (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512,
}

/// <summary>Which <see cref="SimdLevel"/>s this machine runs in hardware.</summary>
public static class SimdSupport
{
    /// <summary>The widest hardware-accelerated level: what kernels use unless told otherwise.</summary>
    public static SimdLevel Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>True when <paramref name="level"/> runs in hardware here (Scalar always does).</summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Vector128 => Vector128.IsHardwareAccelerated,
        SimdLevel.Vector256 => Vector256.IsHardwareAccelerated,
        SimdLevel.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Floats in one vector of <paramref name="level"/>.</summary>
    public static int Width(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 => 16,
        SimdLevel.Vector256 => 8,
        SimdLevel.Vector128 => 4,
        _ => 1,
    };

    /// <summary>Vectors per packed column panel: four where the register file holds a 4 x 4 block of accumulators (32 registers), else three.</summary>
    internal static int PanelVectors(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 => 4,
        SimdLevel.Vector256 => System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported ? 4 : 3,
        SimdLevel.Vector128 => 3,
        _ => 4,
    };
}
