using System.Numerics.Tensors;
using Planner.Managed.Kernels;
using Planner.Models;

namespace Planner.Managed;

/// <summary>
/// An MLP packed for the managed kernels: each layer's weights packed twice, as <c>W^T</c> for the forward pass and as
/// <c>W</c> for the input-gradient pass. Forward writes each hidden layer's activation derivative into a tape; backward
/// multiplies by it. Buffers come from the caller: nothing here allocates after construction.
/// </summary>
internal sealed unsafe class MlpStack
{
    private readonly PackedMatrix[] _forward, _backward;
    private readonly int[] _in, _out, _tapeOffset;

    public MlpStack(MlpWeights weights, SimdLevel? level)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        int layers = weights.Layers.Count;
        _forward = new PackedMatrix[layers];
        _backward = new PackedMatrix[layers];
        _in = new int[layers];
        _out = new int[layers];
        _tapeOffset = new int[layers];
        int tape = 0, maxHidden = 0;
        long flops = 0;
        for (int l = 0; l < layers; l++)
        {
            var layer = weights.Layers[l];
            _in[l] = layer.In;
            _out[l] = layer.Out;
            _forward[l] = PackedMatrix.FromTransposed(layer.Weight, layer.Out, layer.In, layer.Bias, level);
            _backward[l] = PackedMatrix.FromRowMajor(layer.Weight, layer.Out, layer.In, default, level);
            flops += Gemm.Flops(1, layer.In, layer.Out);
            if (l < layers - 1)
            {
                _tapeOffset[l] = tape;
                tape += layer.Out;
                maxHidden = Math.Max(maxHidden, layer.Out);
            }
        }
        Activation = weights.Activation;
        TapeFloatsPerRow = tape;
        MaxHidden = maxHidden;
        FlopsPerRow = flops;
    }

    public Activation Activation { get; }

    public int InputDim => _in[0];

    public int OutputDim => _out[^1];

    public int Layers => _in.Length;

    /// <summary>Sum of the hidden widths: the derivatives one row's forward pass leaves for the backward pass.</summary>
    public int TapeFloatsPerRow { get; }

    public int MaxHidden { get; }

    /// <summary>Scratch per row of <see cref="Forward"/> and <see cref="Backward"/>: two hidden buffers (ping-pong).</summary>
    public int ScratchFloatsPerRow => 2 * Math.Max(MaxHidden, InputDim);

    /// <summary>FLOPs of one row's forward pass; the input-gradient pass costs the same.</summary>
    public long FlopsPerRow { get; }

    /// <summary>
    /// <c>y = MLP(x)</c> for <paramref name="rows"/> rows; when <paramref name="tape"/> is not null (<c>rows x
    /// <see cref="TapeFloatsPerRow"/></c> floats), hidden activation derivatives go to it layer by layer, each layer's as one
    /// <c>[rows x width]</c> block (so one vector pass covers all rows; for one row this is the plain per-row layout).
    /// <paramref name="scratch"/>: rows x <see cref="ScratchFloatsPerRow"/>.
    /// </summary>
    public void Forward(float* x, nint ldx, int rows, float* y, nint ldy, float* tape, float* scratch)
    {
        if (rows <= 0) return;
        int last = _in.Length - 1;
        float* current = x;
        nint ldCurrent = ldx;
        float* ping = scratch, pong = scratch + (nint)rows * MaxHidden;
        for (int l = 0; l < last; l++)
        {
            int width = _out[l];
            float* output = (l & 1) == 0 ? ping : pong;
            Gemm.Multiply(current, ldCurrent, rows, _forward[l], output, width, SkipsZeros(l));
            var values = new Span<float>(output, rows * width);
            if (tape == null) Activations.Apply(Activation, values);
            else Activations.ApplyWithDerivative(Activation, values, new Span<float>(tape + (nint)rows * _tapeOffset[l], rows * width));
            current = output;
            ldCurrent = width;
        }
        Gemm.Multiply(current, ldCurrent, rows, _forward[last], y, ldy, SkipsZeros(last));
    }

    /// <summary>
    /// True when layer <paramref name="layer"/>'s input comes out of a ReLU: about half its entries are exact zeros, often
    /// the same ones across neighbouring rows, and the kernel skips inner indices that are zero in a whole block of rows.
    /// </summary>
    private bool SkipsZeros(int layer) => layer > 0 && Activation == Activation.Relu;

    /// <summary>Panels <c>[first, end)</c> of a product with <paramref name="panels"/> panels that part <paramref name="part"/> of <paramref name="parts"/> computes.</summary>
    private static (int First, int End) Share(int panels, int part, int parts) => (panels * part / parts, panels * (part + 1) / parts);

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of layer <paramref name="layer"/>'s forward pass: its share of
    /// the output columns (whole panels), activated, derivatives to the tape (none for the last layer). Returns the columns written.
    /// Every element is computed exactly as <see cref="Forward"/> computes it.
    /// </summary>
    public (int First, int End) ForwardLayerPart(int layer, float* x, nint ldx, int rows, float* y, nint ldy, float* tape, nint ldt, int part, int parts)
    {
        var b = _forward[layer];
        (int p0, int p1) = Share(b.Panels, part, parts);
        int c0 = b.ColumnOf(p0), c1 = b.ColumnOf(p1);
        if (p0 >= p1) return (c0, c0);
        Gemm.MultiplyPanels(x, ldx, rows, b, y, ldy, p0, p1);
        if (layer == _in.Length - 1) return (c0, c1);
        for (int r = 0; r < rows; r++)
        {
            var values = new Span<float>(y + r * ldy + c0, c1 - c0);
            if (tape == null) Activations.Apply(Activation, values);
            else Activations.ApplyWithDerivative(Activation, values, new Span<float>(tape + r * ldt + _tapeOffset[layer] + c0, c1 - c0));
        }
        return (c0, c1);
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of layer <paramref name="layer"/>'s input-gradient pass: its
    /// share of dL/d(input of the layer), multiplied by the previous layer's activation derivative. Returns the columns written.
    /// </summary>
    public (int First, int End) BackwardLayerPart(int layer, float* g, nint ldg, int rows, float* tape, nint ldt, float* gradInput, nint ldgx, int part, int parts)
    {
        var b = _backward[layer];
        (int p0, int p1) = Share(b.Panels, part, parts);
        int c0 = b.ColumnOf(p0), c1 = b.ColumnOf(p1);
        if (p0 >= p1) return (c0, c0);
        Gemm.MultiplyPanels(g, ldg, rows, b, gradInput, ldgx, p0, p1);
        if (layer == 0) return (c0, c1);
        for (int r = 0; r < rows; r++)
        {
            var values = new Span<float>(gradInput + r * ldgx + c0, c1 - c0);
            TensorPrimitives.Multiply(values, new ReadOnlySpan<float>(tape + r * ldt + _tapeOffset[layer - 1] + c0, c1 - c0), values);
        }
        return (c0, c1);
    }

    /// <summary>Width of layer <paramref name="layer"/>'s output.</summary>
    public int OutputWidth(int layer) => _out[layer];

    /// <summary>
    /// Input gradient: from <paramref name="gradOutput"/> = dL/dy, writes dL/dx into <paramref name="gradInput"/>
    /// (overwriting), using the derivatives the forward pass left on <paramref name="tape"/>.
    /// </summary>
    public void Backward(float* gradOutput, nint ldg, int rows, float* tape, float* gradInput, nint ldgx, float* scratch)
    {
        if (rows <= 0) return;
        int last = _in.Length - 1;
        float* current = gradOutput;
        nint ldCurrent = ldg;
        float* ping = scratch, pong = scratch + (nint)rows * Math.Max(MaxHidden, InputDim);
        for (int l = last; l > 0; l--)
        {
            int width = _in[l];
            float* output = ((last - l) & 1) == 0 ? ping : pong;
            // The gradient entering layer l's transpose product is masked by the ReLU derivative of layer l's output (not for the last layer).
            Gemm.Multiply(current, ldCurrent, rows, _backward[l], output, width, l < last && Activation == Activation.Relu);
            var g = new Span<float>(output, rows * width);
            TensorPrimitives.Multiply(g, new ReadOnlySpan<float>(tape + (nint)rows * _tapeOffset[l - 1], rows * width), g);
            current = output;
            ldCurrent = width;
        }
        Gemm.Multiply(current, ldCurrent, rows, _backward[0], gradInput, ldgx, last > 0 && Activation == Activation.Relu);
    }
}
