using Planner.Torch.Runtime;
using Planner.Costs;
using Planner.Torch.Costs;
using Planner.Torch.Models;

namespace Planner.Torch.Rollout;

/// <summary>
/// The Torch backend's rollout: unrolls an <see cref="ITorchDynamics"/> over all <c>B x N</c> candidates at once on the
/// configured device, sums the cost with autograd and returns costs and action gradients. Per call, only the actions go
/// in and the costs (and gradients) come out; the rollout itself never syncs with the host. One dispose scope per call.
/// </summary>
public sealed class TorchRolloutEvaluator : IRolloutEvaluator
{
    private readonly ITorchDynamics _model;
    private readonly TorchCost _cost;
    private readonly Device _device;
    private Tensor? _initial, _goals;
    private Tensor? _staging; // CPU staging tensor for the actions, reused while the shape stays the same
    private int _batch;
    private long _evaluations;

    /// <summary>Creates the evaluator on <paramref name="device"/> (default CPU) and moves the model there.</summary>
    public TorchRolloutEvaluator(ITorchDynamics model, CostFunction cost, Device? device = null, int goalDim = -1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cost);
        _model = model;
        _device = device ?? CPU;
        GoalDim = goalDim < 0 ? model.StateDim : goalDim;
        cost.Validate(new CostShape(1, model.StateDim, model.ActionDim, GoalDim));
        _cost = new TorchCost(cost);
        _model.MoveTo(_device);
    }

    /// <inheritdoc />
    public int StateDim => _model.StateDim;

    /// <inheritdoc />
    public int ActionDim => _model.ActionDim;

    /// <inheritdoc />
    public int GoalDim { get; }

    /// <inheritdoc />
    public bool SupportsGradients => true;

    /// <inheritdoc />
    public long ModelEvaluations => _evaluations;

    /// <summary>The device the rollout runs on.</summary>
    public Device Device => _device;

    /// <inheritdoc />
    public void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch)
    {
        Guard.AtLeast(batch, 1, nameof(batch));
        Guard.Length(initialLatents.Length, batch * StateDim, nameof(initialLatents), $"[B={batch} x S={StateDim}]");
        Guard.Length(goals.Length, batch * GoalDim, nameof(goals), $"[B={batch} x G={GoalDim}]");
        _initial?.Dispose();
        _goals?.Dispose();
        _initial = HostTensors.Upload(initialLatents, [batch, StateDim], _device).DetachFromDisposeScope();
        _goals = HostTensors.Upload(goals, [batch, GoalDim], _device).DetachFromDisposeScope();
        _batch = batch;
    }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients)
    {
        if (_initial is null || _goals is null) throw new InvalidOperationException("Bind must be called before Evaluate.");
        Guard.AtLeast(candidates, 1, nameof(candidates));
        Guard.AtLeast(horizon, 1, nameof(horizon));
        int rows = _batch * candidates;
        Guard.Length(actions.Length, rows * horizon * ActionDim, nameof(actions), $"[B={_batch} x N={candidates} x H={horizon} x A={ActionDim}]");
        Guard.Length(costs.Length, rows, nameof(costs), $"[B={_batch} x N={candidates}]");
        bool wantGrad = !actionGradients.IsEmpty;
        if (wantGrad) Guard.Length(actionGradients.Length, actions.Length, nameof(actionGradients), "the shape of actions");

        using var scope = NewDisposeScope();
        if (_staging is null || _staging.NumberOfElements != actions.Length)
        {
            _staging?.Dispose();
            _staging = zeros([rows, horizon, ActionDim], ScalarType.Float32).DetachFromDisposeScope();
        }
        _staging.data<float>().CopyFrom(actions, 0, 0);
        Tensor a = _staging.view(rows, horizon, ActionDim).to(_device, copy: _device.type == DeviceType.CPU);
        if (wantGrad) a.requires_grad_(true);

        using (wantGrad ? null : no_grad())
        {
            Tensor z = _initial.repeat_interleave(candidates, 0);
            Tensor goals = _goals.repeat_interleave(candidates, 0);
            var trajectory = new Tensor[horizon];
            for (int t = 0; t < horizon; t++)
            {
                z = _model.Step(z, a[.., t]);
                trajectory[t] = z;
            }
            Tensor cost = _cost.Evaluate(stack(trajectory, 1), a, goals);
            if (wantGrad)
            {
                var grad = autograd.grad([cost.sum()], [a])[0];
                grad.cpu().data<float>().CopyTo(actionGradients, 0, 0);
            }
            cost.detach().cpu().data<float>().CopyTo(costs, 0, 0);
        }
        _evaluations += (long)rows * horizon * (wantGrad ? 2 : 1);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _initial?.Dispose();
        _goals?.Dispose();
        _staging?.Dispose();
        _initial = _goals = _staging = null;
        _cost.Dispose();
    }
}
