using System.Numerics.Tensors;

namespace Planner.Ensembles;

/// <summary>
/// The mean of K member predictors' rollouts, each member unrolled on its own: the ensemble's best guess of the latents
/// a plan leads to (e.g. the subgoal a hierarchy level hands down). Steady-state calls allocate nothing.
/// </summary>
public sealed class EnsemblePredictor : ILatentPredictor
{
    private readonly ILatentPredictor[] _members;
    private float[] _scratch = [];

    /// <summary>Creates the ensemble of <paramref name="members"/> (at least one, all over the same spaces).</summary>
    public EnsemblePredictor(IReadOnlyList<ILatentPredictor> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("an ensemble needs at least one member predictor.", nameof(members));
        _members = new ILatentPredictor[members.Count];
        for (int k = 0; k < members.Count; k++)
        {
            var m = members[k] ?? throw new ArgumentException($"member {k} is null.", nameof(members));
            if (m.StateDim != members[0].StateDim || m.ActionDim != members[0].ActionDim)
                throw new ArgumentException($"member {k} has S={m.StateDim}, A={m.ActionDim}; member 0 has S={members[0].StateDim}, A={members[0].ActionDim}.", nameof(members));
            _members[k] = m;
        }
    }

    /// <inheritdoc />
    public int StateDim => _members[0].StateDim;

    /// <inheritdoc />
    public int ActionDim => _members[0].ActionDim;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> initial, ReadOnlySpan<float> actions, int batch, int horizon, Span<float> states)
    {
        _members[0].Predict(initial, actions, batch, horizon, states);
        if (_members.Length == 1) return;
        int n = batch * horizon * StateDim;
        if (_scratch.Length < n) _scratch = new float[n];
        var scratch = _scratch.AsSpan(0, n);
        for (int k = 1; k < _members.Length; k++)
        {
            _members[k].Predict(initial, actions, batch, horizon, scratch);
            TensorPrimitives.Add(states[..n], scratch, states[..n]);
        }
        TensorPrimitives.Multiply(states[..n], 1f / _members.Length, states[..n]);
    }
}
