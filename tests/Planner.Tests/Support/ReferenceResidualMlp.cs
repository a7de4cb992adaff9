using Planner.Models;

namespace Planner.Tests.Support;

/// <summary>A naive, obviously-correct residual MLP (z' = z + MLP([z, a])) with its VJP, as a test reference.</summary>
internal sealed class ReferenceResidualMlp(int stateDim, int actionDim, MlpWeights weights) : IDifferentiableDynamics
{
    private readonly int _width = weights.Layers.Max(l => Math.Max(l.In, l.Out));

    public int StateDim => stateDim;
    public int ActionDim => actionDim;
    // Tape: per layer its input (padded to the widest layer).
    public int TapeFloatsPerRow => weights.Layers.Count * _width;
    public int ScratchFloatsPerRow => 2 * _width;
    public long ForwardFlopsPerRow => weights.Layers.Sum(l => 2L * l.In * l.Out);

    private static float Act(Activation f, float x) => f switch
    {
        Activation.Relu => MathF.Max(0, x),
        Activation.Tanh => MathF.Tanh(x),
        _ => x / (1 + MathF.Exp(-x)),
    };

    private static float ActGrad(Activation f, float pre) => f switch
    {
        Activation.Relu => pre > 0 ? 1 : 0,
        Activation.Tanh => 1 - MathF.Tanh(pre) * MathF.Tanh(pre),
        _ => Sigmoid(pre) * (1 + pre * (1 - Sigmoid(pre))),
    };

    private static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));

    public void Forward(ReadOnlySpan<float> states, ReadOnlySpan<float> actions, Span<float> next, Span<float> tape, int rows)
    {
        var x = new float[_width];
        var y = new float[_width];
        for (int r = 0; r < rows; r++)
        {
            states.Slice(r * stateDim, stateDim).CopyTo(x);
            actions.Slice(r * actionDim, actionDim).CopyTo(x.AsSpan(stateDim));
            for (int l = 0; l < weights.Layers.Count; l++)
            {
                var layer = weights.Layers[l];
                if (!tape.IsEmpty) x.AsSpan(0, layer.In).CopyTo(tape.Slice(r * TapeFloatsPerRow + l * _width, layer.In));
                for (int o = 0; o < layer.Out; o++)
                {
                    float sum = layer.Bias[o];
                    for (int i = 0; i < layer.In; i++) sum += layer.Weight[o * layer.In + i] * x[i];
                    y[o] = l < weights.Layers.Count - 1 ? Act(weights.Activation, sum) : sum;
                }
                Array.Copy(y, x, layer.Out);
            }
            for (int i = 0; i < stateDim; i++) next[r * stateDim + i] = states[r * stateDim + i] + x[i];
        }
    }

    public void Backward(ReadOnlySpan<float> tape, ReadOnlySpan<float> gradNext, Span<float> gradStates, Span<float> gradActions, Span<float> scratch, int rows)
    {
        var g = new float[_width];
        var gi = new float[_width];
        for (int r = 0; r < rows; r++)
        {
            gradNext.Slice(r * stateDim, stateDim).CopyTo(g);
            for (int l = weights.Layers.Count - 1; l >= 0; l--)
            {
                var layer = weights.Layers[l];
                ReadOnlySpan<float> input = tape.Slice(r * TapeFloatsPerRow + l * _width, layer.In);
                Array.Clear(gi);
                for (int o = 0; o < layer.Out; o++)
                    for (int i = 0; i < layer.In; i++) gi[i] += layer.Weight[o * layer.In + i] * g[o];
                if (l > 0)
                {
                    // input of layer l is act(pre) of layer l-1: recompute pre from the previous layer's input.
                    var prev = weights.Layers[l - 1];
                    ReadOnlySpan<float> prevInput = tape.Slice(r * TapeFloatsPerRow + (l - 1) * _width, prev.In);
                    for (int o = 0; o < prev.Out; o++)
                    {
                        float pre = prev.Bias[o];
                        for (int i = 0; i < prev.In; i++) pre += prev.Weight[o * prev.In + i] * prevInput[i];
                        gi[o] *= ActGrad(weights.Activation, pre);
                    }
                }
                Array.Copy(gi, g, layer.In);
            }
            for (int i = 0; i < stateDim; i++) gradStates[r * stateDim + i] = gradNext[r * stateDim + i] + g[i];
            for (int i = 0; i < actionDim; i++) gradActions[r * actionDim + i] = g[stateDim + i];
        }
    }
}
