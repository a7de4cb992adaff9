using Planner.Models;

namespace Planner.Torch.Models;

/// <summary>The residual MLP world model <c>z' = z + MLP([z, a])</c>, layers <c>(S+A) -&gt; hidden... -&gt; S</c>.</summary>
public sealed class ResidualMlpDynamics : nn.Module<Tensor, Tensor, Tensor>, ITorchDynamics
{
    private readonly TorchMlp mlp;

    /// <summary>Creates the model with hidden sizes <paramref name="hidden"/>, initialised from <paramref name="seed"/>.</summary>
    public ResidualMlpDynamics(int stateDim, int actionDim, IReadOnlyList<int> hidden, Activation activation, int seed, float outputScale = 1f)
        : this(stateDim, actionDim, MlpWeights.Random(Sizes(stateDim, actionDim, hidden), activation, seed, outputScale))
    {
    }

    /// <summary>Creates the model from weights whose input is S+A and output S.</summary>
    public ResidualMlpDynamics(int stateDim, int actionDim, MlpWeights weights) : base(nameof(ResidualMlpDynamics))
    {
        Guard.AtLeast(stateDim, 1, nameof(stateDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.InputDim != stateDim + actionDim || weights.OutputDim != stateDim)
            throw new ArgumentException($"weights map {weights.InputDim} -> {weights.OutputDim}; a residual model with S={stateDim}, A={actionDim} needs {stateDim + actionDim} -> {stateDim}.", nameof(weights));
        StateDim = stateDim;
        ActionDim = actionDim;
        mlp = new TorchMlp(weights);
        RegisterComponents();
    }

    /// <summary>Layer sizes <c>[S+A, hidden..., S]</c> (as the managed <see cref="ResidualMlp"/>).</summary>
    public static int[] Sizes(int stateDim, int actionDim, IReadOnlyList<int> hidden) => ResidualMlp.Sizes(stateDim, actionDim, hidden);

    /// <inheritdoc />
    public int StateDim { get; }

    /// <inheritdoc />
    public int ActionDim { get; }

    /// <summary>The MLP's weights, for checkpoints and the managed backend.</summary>
    public MlpWeights ToWeights() => mlp.ToWeights();

    /// <inheritdoc />
    public Tensor Step(Tensor states, Tensor actions) => call(states, actions);

    /// <inheritdoc />
    public override Tensor forward(Tensor states, Tensor actions) => states + mlp.call(cat([states, actions], 1));

    /// <inheritdoc />
    public void MoveTo(Device device) => this.to(device);
}
