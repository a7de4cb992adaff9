using Planner.Torch.Runtime;
using Planner.Torch.Models;
using Planner.Torch.Training;

namespace Planner.Torch.Rollout;

/// <summary>The encoder of a <see cref="TrainedWorldModel"/> (normalisation included) as a Core <see cref="IEncoder"/>.</summary>
public sealed class TorchModelEncoder(TrainedWorldModel model) : IEncoder
{
    /// <inheritdoc />
    public int ObservationDim => model.ObservationDim;

    /// <inheritdoc />
    public int LatentDim => model.LatentDim;

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows)
        => model.Encode(observations[..(rows * ObservationDim)], rows, latents[..(rows * LatentDim)]);
}

/// <summary>Rolls an <see cref="ITorchDynamics"/> forward without gradients, as a Core <see cref="ILatentPredictor"/>.</summary>
public sealed class TorchLatentPredictor(ITorchDynamics dynamics, Device? device = null) : ILatentPredictor
{
    private readonly Device _device = device ?? CPU;

    /// <inheritdoc />
    public int StateDim => dynamics.StateDim;

    /// <inheritdoc />
    public int ActionDim => dynamics.ActionDim;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> initial, ReadOnlySpan<float> actions, int batch, int horizon, Span<float> states)
    {
        int s = StateDim, a = ActionDim;
        Guard.Length(initial.Length, batch * s, nameof(initial), $"[B={batch} x S={s}]");
        Guard.Length(actions.Length, batch * horizon * a, nameof(actions), $"[B={batch} x H={horizon} x A={a}]");
        Guard.Length(states.Length, batch * horizon * s, nameof(states), $"[B={batch} x H={horizon} x S={s}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = HostTensors.Upload(initial, [batch, s], _device);
        var u = HostTensors.Upload(actions, [batch, horizon, a], _device);
        var trajectory = new Tensor[horizon];
        for (int t = 0; t < horizon; t++)
        {
            z = dynamics.Step(z, u[.., t]);
            trajectory[t] = z;
        }
        stack(trajectory, 1).cpu().contiguous().data<float>().CopyTo(states, 0, 0);
    }

}
