using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Planner.Models;

namespace Planner.Managed.Kernels;

/// <summary>The hidden activations of an MLP, applied in place, optionally writing the derivative the backward pass multiplies by.</summary>
public static class Activations
{
    /// <summary>Replaces pre-activations <paramref name="values"/> by <c>f(values)</c>.</summary>
    public static void Apply(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.Relu: TensorPrimitives.Max(values, 0f, values); break;
            case Activation.Tanh: TensorPrimitives.Tanh(values, values); break;
            default: Silu(values, default); break;
        }
    }

    /// <summary>Replaces pre-activations <paramref name="values"/> by <c>f(values)</c> and writes <c>f'(values)</c> into <paramref name="derivative"/> (same length).</summary>
    public static void ApplyWithDerivative(Activation activation, Span<float> values, Span<float> derivative)
    {
        Guard.Length(derivative.Length, values.Length, nameof(derivative), "one derivative per value");
        switch (activation)
        {
            case Activation.Relu: Relu(values, derivative); break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(values, values);
                TensorPrimitives.Multiply(values, values, derivative);
                TensorPrimitives.Subtract(1f, derivative, derivative);
                break;
            default: Silu(values, derivative); break;
        }
    }

    private static void Relu(Span<float> values, Span<float> derivative)
    {
        int i = 0, n = values.Length;
        ref float x = ref MemoryMarshal.GetReference(values);
        ref float d = ref MemoryMarshal.GetReference(derivative);
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)i);
                Vector512.Max(v, Vector512<float>.Zero).StoreUnsafe(ref x, (nuint)i);
                // The comparison mask is all ones where v > 0: AND with 1.0f's bits gives 1 or 0.
                (Vector512.GreaterThan(v, Vector512<float>.Zero) & one).StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)i);
                Vector256.Max(v, Vector256<float>.Zero).StoreUnsafe(ref x, (nuint)i);
                (Vector256.GreaterThan(v, Vector256<float>.Zero) & one).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = values[i];
            derivative[i] = v > 0 ? 1f : 0f;
            values[i] = v > 0 || float.IsNaN(v) ? v : 0f; // NaN stays NaN, like the vector path and Torch
        }
    }

    /// <summary>x * sigmoid(x); derivative sigmoid(x) * (1 + x * (1 - sigmoid(x))). <paramref name="derivative"/> may be empty.</summary>
    [SkipLocalsInit]
    private static void Silu(Span<float> values, Span<float> derivative)
    {
        if (derivative.IsEmpty)
        {
            // Sigmoid into a stack block, then multiply: vectorised without a heap buffer.
            Span<float> sigmoid = stackalloc float[256];
            for (int i = 0; i < values.Length; i += 256)
            {
                Span<float> block = values.Slice(i, Math.Min(256, values.Length - i));
                TensorPrimitives.Sigmoid(block, sigmoid[..block.Length]);
                TensorPrimitives.Multiply(block, sigmoid[..block.Length], block);
            }
            return;
        }
        TensorPrimitives.Sigmoid(values, derivative);
        for (int i = 0; i < values.Length; i++)
        {
            float x = values[i], s = derivative[i];
            values[i] = x * s;
            derivative[i] = s * (1f + x * (1f - s));
        }
    }
}
