namespace Planner.Torch.Models;

/// <summary>A world model's transition in TorchSharp: <c>z' = f(z, a)</c> on <c>[rows x S]</c>, <c>[rows x A]</c>, differentiable by autograd.</summary>
public interface ITorchDynamics : IDisposable
{
    /// <summary>Latent size S.</summary>
    int StateDim { get; }

    /// <summary>Action size A.</summary>
    int ActionDim { get; }

    /// <summary>One step.</summary>
    Tensor Step(Tensor states, Tensor actions);

    /// <summary>Moves the parameters to a device.</summary>
    void MoveTo(Device device);
}
