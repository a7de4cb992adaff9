using Planner.Checkpoints;
using Planner.Models;
using TorchSharp.Modules;

namespace Planner.Torch.Models;

/// <summary>
/// Observation -> latent: an MLP on state vectors, or a small CNN (convolutions, flatten, MLP head) on flattened
/// images <c>[rows x C*H*W]</c>. Built from an <see cref="EncoderSpec"/>; converts to and from named checkpoint tensors.
/// Input is expected already normalised.
/// </summary>
public sealed class TorchEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> conv;
    private readonly TorchMlp head;

    /// <summary>Creates the encoder with deterministic initial weights from <paramref name="seed"/>.</summary>
    public TorchEncoder(EncoderSpec spec, int seed) : base(nameof(TorchEncoder))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate(nameof(spec));
        Spec = spec;
        conv = new ModuleList<Conv2d>();
        if (spec.Kind == EncoderKind.Conv)
        {
            var c = spec.Conv!;
            using (var generator = new Generator((ulong)(uint)seed + 0xC0DEUL))
            {
                int inChannels = c.Channels;
                foreach (var l in c.Layers)
                {
                    var layer = nn.Conv2d(inChannels, l.OutChannels, l.Kernel, stride: l.Stride, padding: l.Padding);
                    InitConv(layer, inChannels * l.Kernel * l.Kernel, generator);
                    conv.Add(layer);
                    inChannels = l.OutChannels;
                }
            }
            head = new TorchMlp(c.Head.LayerSizes, c.Head.Activation, seed);
        }
        else
        {
            head = new TorchMlp(spec.Mlp!.LayerSizes, spec.Mlp.Activation, seed);
        }
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public EncoderSpec Spec { get; }

    /// <summary>Observation size.</summary>
    public int InputDim => Spec.InputDim;

    /// <summary>Latent size.</summary>
    public int OutputDim => Spec.OutputDim;

    // PyTorch's default range for convolutions (uniform ±1/sqrt(fan_in)), drawn from a private seeded generator so the
    // initial weights do not depend on the global torch seed.
    private static void InitConv(Conv2d layer, int fanIn, Generator generator)
    {
        using var _ = no_grad();
        double bound = 1.0 / Math.Sqrt(fanIn);
        layer.weight!.uniform_(-bound, bound, generator);
        layer.bias!.uniform_(-bound, bound, generator);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (Spec.Kind == EncoderKind.Mlp) return head.call(input);
        var c = Spec.Conv!;
        var x = input.reshape(-1, c.Channels, c.Height, c.Width);
        var act = c.Head.Activation;
        for (int i = 0; i < conv.Count; i++) x = Activate(conv[i].call(x), act);
        return head.call(x.flatten(1));
    }

    private static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Tanh => x.tanh(),
        _ => nn.functional.silu(x),
    };

    /// <summary>The weights as named tensors under <paramref name="prefix"/> (names as in <see cref="EncoderSpec.Tensors"/>).</summary>
    public IEnumerable<NamedTensor> ToTensors(string prefix)
    {
        if (Spec.Kind == EncoderKind.Mlp) return WorldModelCheckpoint.MlpTensors(prefix, head.ToWeights());
        var list = new List<NamedTensor>();
        for (int i = 0; i < conv.Count; i++)
        {
            list.Add(ToNamed($"{prefix}.conv.{i}.weight", conv[i].weight!));
            list.Add(ToNamed($"{prefix}.conv.{i}.bias", conv[i].bias!));
        }
        list.AddRange(WorldModelCheckpoint.MlpTensors(prefix + ".head", head.ToWeights()));
        return list;
    }

    /// <summary>Copies weights in from named tensors (shapes must match <see cref="Spec"/>).</summary>
    public void LoadTensors(string prefix, IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (Spec.Kind == EncoderKind.Mlp)
        {
            head.Load(WorldModelCheckpoint.MlpFromTensors(prefix, Spec.Mlp!, tensors));
            return;
        }
        using (no_grad())
        {
            for (int i = 0; i < conv.Count; i++)
            {
                CopyInto(conv[i].weight!, tensors, $"{prefix}.conv.{i}.weight");
                CopyInto(conv[i].bias!, tensors, $"{prefix}.conv.{i}.bias");
            }
        }
        head.Load(WorldModelCheckpoint.MlpFromTensors(prefix + ".head", Spec.Conv!.Head, tensors));
    }

    private static NamedTensor ToNamed(string name, Tensor t)
    {
        var shape = new int[t.shape.Length];
        for (int i = 0; i < shape.Length; i++) shape[i] = (int)t.shape[i];
        return new NamedTensor(name, shape, t.detach().cpu().contiguous().data<float>().ToArray());
    }

    private static void CopyInto(Tensor destination, IReadOnlyDictionary<string, NamedTensor> tensors, string name)
    {
        if (!tensors.TryGetValue(name, out var t)) throw new CheckpointException($"tensor '{name}' is missing.");
        if (t.ElementCount != destination.numel())
            throw new CheckpointException($"tensor '{name}' has shape {NamedTensor.Format(t.Shape)}; the encoder needs {string.Join("x", destination.shape)}.");
        using var src = tensor(t.Data, destination.shape);
        destination.copy_(src);
    }
}
