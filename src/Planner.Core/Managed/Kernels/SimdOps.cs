using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Planner.Managed.Kernels;

/// <summary>The few vector operations the GEMM kernel needs, as static members so a struct type argument makes them direct, inlined calls.</summary>
internal unsafe interface ISimd<TV> where TV : struct
{
    static abstract int Width { get; }

    static abstract TV Zero { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV value);

    static abstract TV Broadcast(float value);

    /// <summary><c>a * b + c</c>, fused where the hardware has FMA.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
}

/// <summary>A compile-time integer carried by a struct type argument (rows or vectors of a kernel block).</summary>
internal interface IConstant
{
    static abstract int Value { get; }
}

/// <summary>How a kernel walks the inner dimension: every index in order, or only those in a list.</summary>
internal interface IInnerIndex
{
    static abstract bool Dense { get; }
}

internal readonly struct DenseK : IInnerIndex { public static bool Dense => true; }
internal readonly struct ListedK : IInnerIndex { public static bool Dense => false; }

internal readonly struct C1 : IConstant { public static int Value => 1; }
internal readonly struct C2 : IConstant { public static int Value => 2; }
internal readonly struct C3 : IConstant { public static int Value => 3; }
internal readonly struct C4 : IConstant { public static int Value => 4; }

internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Width => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    public static Vector512<float> Load(float* p) => Vector512.Load(p);
    public static void Store(float* p, Vector512<float> value) => value.Store(p);
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;
}

internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Width => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    public static Vector256<float> Load(float* p) => Vector256.Load(p);
    public static void Store(float* p, Vector256<float> value) => value.Store(p);
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;
}

internal readonly unsafe struct Simd128 : ISimd<Vector128<float>>
{
    public static int Width => 4;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    public static Vector128<float> Load(float* p) => Vector128.Load(p);
    public static void Store(float* p, Vector128<float> value) => value.Store(p);
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c)
        : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? System.Runtime.Intrinsics.Arm.AdvSimd.FusedMultiplyAdd(c, a, b)
        : a * b + c;
}

internal readonly unsafe struct SimdScalar : ISimd<float>
{
    public static int Width => 1;
    public static float Zero => 0f;
    public static float Load(float* p) => *p;
    public static void Store(float* p, float value) => *p = value;
    public static float Broadcast(float value) => value;
    public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}
