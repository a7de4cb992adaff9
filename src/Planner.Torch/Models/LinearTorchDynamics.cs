using Planner.Models;

namespace Planner.Torch.Models;

/// <summary>Linear dynamics <c>x' = A x + B u</c> in TorchSharp (fixed matrices, for tests and the LQ benchmark).</summary>
public sealed class LinearTorchDynamics : ITorchDynamics
{
    private Tensor _aT, _bT;

    /// <summary>Creates the model from the managed definition.</summary>
    public LinearTorchDynamics(LinearDynamics model)
    {
        ArgumentNullException.ThrowIfNull(model);
        StateDim = model.StateDim;
        ActionDim = model.ActionDim;
        // Stored transposed so a batch step is rows @ A^T + u @ B^T.
        _aT = tensor(model.A.ToArray(), [StateDim, StateDim]).t().contiguous().DetachFromDisposeScope();
        _bT = tensor(model.B.ToArray(), [StateDim, ActionDim]).t().contiguous().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public int StateDim { get; }

    /// <inheritdoc />
    public int ActionDim { get; }

    /// <inheritdoc />
    public Tensor Step(Tensor states, Tensor actions) => states.matmul(_aT) + actions.matmul(_bT);

    /// <inheritdoc />
    public void MoveTo(Device device)
    {
        var a = _aT.to(device).DetachFromDisposeScope();
        var b = _bT.to(device).DetachFromDisposeScope();
        if (!ReferenceEquals(a, _aT)) _aT.Dispose();
        if (!ReferenceEquals(b, _bT)) _bT.Dispose();
        _aT = a;
        _bT = b;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _aT.Dispose();
        _bT.Dispose();
    }
}
