using Planner.Numerics;

namespace Planner.Models;

/// <summary>Activation between the layers of an MLP.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>x * sigmoid(x).</summary>
    Silu,
}

/// <summary>One dense layer: <c>y = W x + b</c>, W row-major <c>[Out x In]</c>.</summary>
/// <param name="In">Input size.</param>
/// <param name="Out">Output size.</param>
/// <param name="Weight">Row-major weights <c>[Out x In]</c>.</param>
/// <param name="Bias">Bias <c>[Out]</c>.</param>
public sealed record DenseLayer(int In, int Out, float[] Weight, float[] Bias)
{
    /// <summary>Throws when the arrays do not match the sizes or hold non-finite values.</summary>
    public void Validate(string name)
    {
        Guard.AtLeast(In, 1, name + ".In");
        Guard.AtLeast(Out, 1, name + ".Out");
        Guard.Length(Weight.Length, In * Out, name + ".Weight", $"[Out={Out} x In={In}]");
        Guard.Length(Bias.Length, Out, name + ".Bias", $"[Out={Out}]");
        Guard.Finite(Weight, name + ".Weight");
        Guard.Finite(Bias, name + ".Bias");
    }
}

/// <summary>
/// Backend-neutral MLP weights: the interchange between the Torch backend (training, checkpoints) and the managed
/// backend. A residual dynamics model computes <c>z' = z + MLP([z, a])</c>.
/// </summary>
/// <param name="Layers">Dense layers in order; the activation follows every layer but the last.</param>
/// <param name="Activation">Hidden activation.</param>
public sealed record MlpWeights(IReadOnlyList<DenseLayer> Layers, Activation Activation)
{
    /// <summary>Input size of the first layer.</summary>
    public int InputDim => Layers[0].In;

    /// <summary>Output size of the last layer.</summary>
    public int OutputDim => Layers[^1].Out;

    /// <summary>Throws unless the layers chain (each In equals the previous Out) and hold finite values.</summary>
    public void Validate()
    {
        if (Layers.Count == 0) throw new ArgumentException("an MLP needs at least one layer.", nameof(Layers));
        for (int i = 0; i < Layers.Count; i++)
        {
            Layers[i].Validate($"Layers[{i}]");
            if (i > 0 && Layers[i].In != Layers[i - 1].Out)
                throw new ArgumentException($"Layers[{i}].In = {Layers[i].In} does not match Layers[{i - 1}].Out = {Layers[i - 1].Out}.", nameof(Layers));
        }
    }

    /// <summary>
    /// Deterministic initialisation from a seed: weights uniform in <c>±1/sqrt(in)</c> (PyTorch's default range),
    /// biases zero, the last layer scaled by <paramref name="outputScale"/> (small: a residual model starts near identity).
    /// </summary>
    public static MlpWeights Random(IReadOnlyList<int> sizes, Activation activation, int seed, float outputScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count < 2) throw new ArgumentException("sizes needs at least an input and an output size.", nameof(sizes));
        var rng = new DeterministicRandom((ulong)(uint)seed + 0x5EEDUL);
        var layers = new DenseLayer[sizes.Count - 1];
        for (int l = 0; l < layers.Length; l++)
        {
            int nIn = sizes[l], nOut = sizes[l + 1];
            Guard.AtLeast(nIn, 1, $"sizes[{l}]");
            Guard.AtLeast(nOut, 1, $"sizes[{l + 1}]");
            float bound = 1f / MathF.Sqrt(nIn) * (l == layers.Length - 1 ? outputScale : 1f);
            var w = new float[nIn * nOut];
            for (int i = 0; i < w.Length; i++) w[i] = rng.NextFloat(-bound, bound);
            layers[l] = new DenseLayer(nIn, nOut, w, new float[nOut]);
        }
        return new MlpWeights(layers, activation);
    }
}
