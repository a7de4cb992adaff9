namespace Planner.Models;

/// <summary>An <see cref="ILatentPredictor"/> over managed dynamics: one forward step per horizon step, buffers reused.</summary>
public sealed class DynamicsPredictor(IDifferentiableDynamics dynamics) : ILatentPredictor
{
    private float[] _step = [], _next = [], _actions = [];

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
        if (_step.Length < batch * s) { _step = new float[batch * s]; _next = new float[batch * s]; }
        if (_actions.Length < batch * a) _actions = new float[batch * a];
        initial.CopyTo(_step);
        for (int t = 0; t < horizon; t++)
        {
            for (int b = 0; b < batch; b++) actions.Slice((b * horizon + t) * a, a).CopyTo(_actions.AsSpan(b * a, a));
            dynamics.Forward(_step.AsSpan(0, batch * s), _actions.AsSpan(0, batch * a), _next.AsSpan(0, batch * s), default, batch);
            for (int b = 0; b < batch; b++) _next.AsSpan(b * s, s).CopyTo(states.Slice((b * horizon + t) * s, s));
            (_step, _next) = (_next, _step);
        }
    }
}
