using System.Numerics.Tensors;
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
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
            {
                var x = new Vector<float>(values[i..]);
                var positive = Vector.GreaterThan(x, Vector<float>.Zero);
                Vector.ConditionalSelect(positive, x, Vector<float>.Zero).CopyTo(values[i..]);
                Vector.ConditionalSelect(positive, one, Vector<float>.Zero).CopyTo(derivative[i..]);
            }
        }
        for (; i < values.Length; i++)
        {
            bool positive = values[i] > 0;
            derivative[i] = positive ? 1f : 0f;
            if (!positive) values[i] = 0f;
        }
    }

    /// <summary>x * sigmoid(x); derivative sigmoid(x) * (1 + x * (1 - sigmoid(x))). <paramref name="derivative"/> may be empty.</summary>
    private static void Silu(Span<float> values, Span<float> derivative)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float x = values[i];
            float s = 1f / (1f + MathF.Exp(-x));
            values[i] = x * s;
            if (!derivative.IsEmpty) derivative[i] = s * (1f + x * (1f - s));
        }
    }
}
