using System.Text.Json.Serialization;
using Planner.Models;

namespace Planner.Checkpoints;

/// <summary>Which network turns an observation into a latent.</summary>
public enum EncoderKind
{
    /// <summary>An MLP on a state vector (readable by the managed backend).</summary>
    Mlp,

    /// <summary>A small CNN on an image, then an MLP head (needs the Torch backend).</summary>
    Conv,
}

/// <summary>An MLP's layer sizes <c>[in, hidden..., out]</c> and hidden activation.</summary>
/// <param name="LayerSizes">Sizes including input and output.</param>
/// <param name="Activation">Activation between layers (none after the last).</param>
public sealed record MlpSpec(int[] LayerSizes, Activation Activation)
{
    /// <summary>Input size.</summary>
    [JsonIgnore]
    public int InputDim => LayerSizes[0];

    /// <summary>Output size.</summary>
    [JsonIgnore]
    public int OutputDim => LayerSizes[^1];

    /// <summary>Throws unless there are at least two sizes, all positive.</summary>
    public void Validate(string name)
    {
        if (LayerSizes is null || LayerSizes.Length < 2)
            throw new ArgumentException($"{name}.LayerSizes needs at least an input and an output size.", name);
        for (int i = 0; i < LayerSizes.Length; i++) Guard.AtLeast(LayerSizes[i], 1, $"{name}.LayerSizes[{i}]");
    }

    /// <summary>Tensor names and shapes (<c>prefix.layers.i.weight [out x in]</c>, <c>prefix.layers.i.bias [out]</c>).</summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors(string prefix)
    {
        for (int i = 0; i + 1 < LayerSizes.Length; i++)
        {
            yield return ($"{prefix}.layers.{i}.weight", [LayerSizes[i + 1], LayerSizes[i]]);
            yield return ($"{prefix}.layers.{i}.bias", [LayerSizes[i + 1]]);
        }
    }

    /// <summary>The spec of existing weights.</summary>
    public static MlpSpec Of(MlpWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var sizes = new int[weights.Layers.Count + 1];
        sizes[0] = weights.InputDim;
        for (int i = 0; i < weights.Layers.Count; i++) sizes[i + 1] = weights.Layers[i].Out;
        return new MlpSpec(sizes, weights.Activation);
    }
}

/// <summary>One convolution: square kernel, stride and zero padding.</summary>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Kernel width and height.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Zero padding on each side.</param>
public sealed record ConvLayerSpec(int OutChannels, int Kernel, int Stride, int Padding);

/// <summary>A CNN encoder: convolutions (each followed by the activation), flatten, then an MLP head.</summary>
/// <param name="Channels">Input channels (1 for grayscale).</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Layers">Convolutions in order.</param>
/// <param name="Head">The MLP after flattening; its input must equal the flattened size.</param>
public sealed record ConvEncoderSpec(int Channels, int Height, int Width, ConvLayerSpec[] Layers, MlpSpec Head)
{
    /// <summary>Observation size C*H*W.</summary>
    [JsonIgnore]
    public int InputDim => Channels * Height * Width;

    /// <summary>Channels, height and width after the convolutions.</summary>
    public (int C, int H, int W) OutputShape()
    {
        int c = Channels, h = Height, w = Width;
        foreach (var l in Layers)
        {
            h = (h + 2 * l.Padding - l.Kernel) / l.Stride + 1;
            w = (w + 2 * l.Padding - l.Kernel) / l.Stride + 1;
            c = l.OutChannels;
        }
        return (c, h, w);
    }

    /// <summary>Throws unless every size is positive and the head's input equals the flattened convolution output.</summary>
    public void Validate(string name)
    {
        Guard.AtLeast(Channels, 1, name + ".Channels");
        Guard.AtLeast(Height, 1, name + ".Height");
        Guard.AtLeast(Width, 1, name + ".Width");
        ArgumentNullException.ThrowIfNull(Layers);
        for (int i = 0; i < Layers.Length; i++)
        {
            Guard.AtLeast(Layers[i].OutChannels, 1, $"{name}.Layers[{i}].OutChannels");
            Guard.AtLeast(Layers[i].Kernel, 1, $"{name}.Layers[{i}].Kernel");
            Guard.AtLeast(Layers[i].Stride, 1, $"{name}.Layers[{i}].Stride");
            Guard.AtLeast(Layers[i].Padding, 0, $"{name}.Layers[{i}].Padding");
        }
        var (c, h, w) = OutputShape();
        if (h < 1 || w < 1)
            throw new ArgumentException($"{name}: the convolutions shrink a {Height}x{Width} image to {h}x{w}; use fewer or smaller-stride layers.", name);
        Head.Validate(name + ".Head");
        if (Head.InputDim != c * h * w)
            throw new ArgumentException($"{name}.Head.LayerSizes[0] = {Head.InputDim}, but the convolutions output {c}x{h}x{w} = {c * h * w} values.", name);
    }

    /// <summary>Tensor names and shapes: <c>prefix.conv.i.weight [out x in x k x k]</c>, <c>prefix.conv.i.bias</c>, then the head.</summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors(string prefix)
    {
        int c = Channels;
        for (int i = 0; i < Layers.Length; i++)
        {
            var l = Layers[i];
            yield return ($"{prefix}.conv.{i}.weight", [l.OutChannels, c, l.Kernel, l.Kernel]);
            yield return ($"{prefix}.conv.{i}.bias", [l.OutChannels]);
            c = l.OutChannels;
        }
        foreach (var t in Head.Tensors(prefix + ".head")) yield return t;
    }
}

/// <summary>The encoder: an MLP (<see cref="Mlp"/> set) or a CNN (<see cref="Conv"/> set), with its activation.</summary>
/// <param name="Kind">Which network.</param>
/// <param name="Mlp">The MLP when <paramref name="Kind"/> is <see cref="EncoderKind.Mlp"/>.</param>
/// <param name="Conv">The CNN when <paramref name="Kind"/> is <see cref="EncoderKind.Conv"/>.</param>
public sealed record EncoderSpec(EncoderKind Kind, MlpSpec? Mlp = null, ConvEncoderSpec? Conv = null)
{
    /// <summary>Observation size.</summary>
    [JsonIgnore]
    public int InputDim => Kind == EncoderKind.Mlp ? Mlp!.InputDim : Conv!.InputDim;

    /// <summary>Latent size.</summary>
    [JsonIgnore]
    public int OutputDim => Kind == EncoderKind.Mlp ? Mlp!.OutputDim : Conv!.Head.OutputDim;

    /// <summary>Throws unless the part that <see cref="Kind"/> names is present and valid.</summary>
    public void Validate(string name)
    {
        if (Kind == EncoderKind.Mlp)
        {
            if (Mlp is null) throw new ArgumentException($"{name}: kind is Mlp but the mlp section is missing.", name);
            Mlp.Validate(name + ".Mlp");
        }
        else
        {
            if (Conv is null) throw new ArgumentException($"{name}: kind is Conv but the conv section is missing.", name);
            Conv.Validate(name + ".Conv");
        }
    }

    /// <summary>Tensor names and shapes under <paramref name="prefix"/>.</summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors(string prefix) =>
        Kind == EncoderKind.Mlp ? Mlp!.Tensors(prefix) : Conv!.Tensors(prefix);
}
