using Planner.Models;
using TorchSharp.Modules;

namespace Planner.Torch.Models;

/// <summary>An MLP (dense layers with an activation between them) that converts to and from backend-neutral <see cref="MlpWeights"/>.</summary>
public sealed class TorchMlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;
    private readonly Activation _activation;

    /// <summary>Creates an MLP with the given layer sizes, initialised from <paramref name="seed"/> by <see cref="MlpWeights.Random"/>.</summary>
    public TorchMlp(IReadOnlyList<int> sizes, Activation activation, int seed, float outputScale = 1f)
        : this(MlpWeights.Random(sizes, activation, seed, outputScale))
    {
    }

    /// <summary>Creates an MLP holding copies of <paramref name="weights"/>.</summary>
    public TorchMlp(MlpWeights weights) : base(nameof(TorchMlp))
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        _activation = weights.Activation;
        layers = new ModuleList<Linear>();
        foreach (var layer in weights.Layers) layers.Add(nn.Linear(layer.In, layer.Out));
        RegisterComponents();
        Load(weights);
    }

    /// <summary>Input size.</summary>
    public int InputDim => (int)layers[0].in_features;

    /// <summary>Output size.</summary>
    public int OutputDim => (int)layers[^1].out_features;

    /// <summary>Copies weights in (shapes must match).</summary>
    public void Load(MlpWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Layers.Count != layers.Count)
            throw new ArgumentException($"weights have {weights.Layers.Count} layers; this MLP has {layers.Count}.", nameof(weights));
        using var _ = no_grad();
        for (int i = 0; i < layers.Count; i++)
        {
            var src = weights.Layers[i];
            var dst = layers[i];
            if (src.In != dst.in_features || src.Out != dst.out_features)
                throw new ArgumentException($"layer {i} is [{src.Out} x {src.In}] in the weights but [{dst.out_features} x {dst.in_features}] here.", nameof(weights));
            dst.weight!.copy_(tensor(src.Weight, [src.Out, src.In]));
            dst.bias!.copy_(tensor(src.Bias, [src.Out]));
        }
    }

    /// <summary>Copies the weights out (to the CPU).</summary>
    public MlpWeights ToWeights()
    {
        var result = new DenseLayer[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            result[i] = new DenseLayer((int)l.in_features, (int)l.out_features,
                l.weight!.detach().cpu().data<float>().ToArray(), l.bias!.detach().cpu().data<float>().ToArray());
        }
        return new MlpWeights(result, _activation);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].call(x);
            if (i < layers.Count - 1) x = Activate(x);
        }
        return x;
    }

    private Tensor Activate(Tensor x) => _activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Tanh => x.tanh(),
        _ => nn.functional.silu(x),
    };
}
