using Planner.Models;
using Planner.Torch.Models;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// Compresses a chunk of tau primitive actions (<c>[rows x tau*A]</c>, time-major) into a latent macro-action
/// <c>m = tanh(MLP(chunk))</c> of size M, bounded in [-1, 1]^M so that a level's planner can search that box.
/// </summary>
public sealed class MacroActionEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchMlp mlp;

    /// <summary>Creates the encoder from weights mapping <c>tau*A -&gt; M</c>.</summary>
    public MacroActionEncoder(MlpWeights weights) : base(nameof(MacroActionEncoder))
    {
        ArgumentNullException.ThrowIfNull(weights);
        mlp = new TorchMlp(weights);
        RegisterComponents();
    }

    /// <summary>Input size tau*A.</summary>
    public int ChunkDim => mlp.InputDim;

    /// <summary>Macro-action size M.</summary>
    public int MacroActionDim => mlp.OutputDim;

    /// <summary>The value before tanh (used by the saturation penalty).</summary>
    public Tensor PreActivation(Tensor chunks) => mlp.call(chunks);

    /// <inheritdoc />
    public override Tensor forward(Tensor chunks) => mlp.call(chunks).tanh();

    /// <summary>The MLP's weights (tanh is applied after them).</summary>
    public MlpWeights ToWeights() => mlp.ToWeights();
}
