using Planner.Models;

namespace Planner.Tests.Managed;

/// <summary>Naive double-precision references for the managed kernels and models.</summary>
internal static class Reference
{
    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var rng = new Planner.Numerics.DeterministicRandom((ulong)seed + 11);
        var v = new float[length];
        for (int i = 0; i < length; i++) v[i] = rng.NextFloat(-scale, scale);
        return v;
    }

    /// <summary>C = A[m x k] * B[k x n] (+ bias), all row-major.</summary>
    public static double[] MatMul(float[] a, float[] b, int m, int k, int n, float[]? bias = null)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = bias?[j] ?? 0;
                for (int p = 0; p < k; p++) sum += (double)a[i * k + p] * b[p * n + j];
                c[i * n + j] = sum;
            }
        return c;
    }

    public static double Act(Activation f, double x) => f switch
    {
        Activation.Relu => Math.Max(0, x),
        Activation.Tanh => Math.Tanh(x),
        _ => x / (1 + Math.Exp(-x)),
    };

    public static double ActDerivative(Activation f, double x)
    {
        switch (f)
        {
            case Activation.Relu: return x > 0 ? 1 : 0;
            case Activation.Tanh: { double t = Math.Tanh(x); return 1 - t * t; }
            default: { double s = 1 / (1 + Math.Exp(-x)); return s * (1 + x * (1 - s)); }
        }
    }

    /// <summary>MLP forward of one row; returns the output and every layer's pre-activation.</summary>
    public static double[] Mlp(MlpWeights w, ReadOnlySpan<double> x, List<double[]>? pre = null)
    {
        double[] h = x.ToArray();
        for (int l = 0; l < w.Layers.Count; l++)
        {
            var layer = w.Layers[l];
            var y = new double[layer.Out];
            for (int o = 0; o < layer.Out; o++)
            {
                double sum = layer.Bias[o];
                for (int i = 0; i < layer.In; i++) sum += (double)layer.Weight[o * layer.In + i] * h[i];
                y[o] = sum;
            }
            pre?.Add((double[])y.Clone());
            if (l < w.Layers.Count - 1)
                for (int o = 0; o < y.Length; o++) y[o] = Act(w.Activation, y[o]);
            h = y;
        }
        return h;
    }

    /// <summary>dL/dx of an MLP at x for the cotangent g = dL/dy.</summary>
    public static double[] MlpVjp(MlpWeights w, ReadOnlySpan<double> x, ReadOnlySpan<double> g)
    {
        var pre = new List<double[]>();
        Mlp(w, x, pre);
        double[] grad = g.ToArray();
        for (int l = w.Layers.Count - 1; l >= 0; l--)
        {
            var layer = w.Layers[l];
            if (l < w.Layers.Count - 1)
                for (int o = 0; o < layer.Out; o++) grad[o] *= ActDerivative(w.Activation, pre[l][o]);
            var gin = new double[layer.In];
            for (int o = 0; o < layer.Out; o++)
                for (int i = 0; i < layer.In; i++) gin[i] += (double)layer.Weight[o * layer.In + i] * grad[o];
            grad = gin;
        }
        return grad;
    }

    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double relative, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what + " length");
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = relative * Math.Max(Math.Abs(expected[i]), scale) + 1e-30;
            if (!(Math.Abs(actual[i] - expected[i]) <= tol))
                Assert.Fail($"{what}[{i}] = {actual[i]}, expected {expected[i]} (tolerance {tol})");
        }
    }
}
