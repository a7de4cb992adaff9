using System.Numerics.Tensors;

namespace Planner.Ensembles;

/// <summary>
/// Scores every candidate under each of K world models (an ensemble over one action space) and combines the K costs:
/// <c>mean_k c_k + DisagreementWeight * std_k c_k</c>, the trajectory-sampling form of PETS. A plan then has to look
/// good to every member, so the planner cannot exploit the error of one model (e.g. a path one macro model wrongly
/// believes passes through a wall). Gradients are the exact derivative of that combination. Members share the action,
/// state and goal sizes; each keeps its rollout on its own device. Steady-state calls allocate nothing.
/// </summary>
public sealed class EnsembleRolloutEvaluator : IRolloutEvaluator
{
    private readonly IRolloutEvaluator[] _members;
    private readonly bool _ownsMembers;
    private float[][] _costs = [];
    private float[][] _gradients = [];
    private bool _disposed;

    /// <summary>
    /// Creates the ensemble of <paramref name="members"/> (at least one). <paramref name="disagreementWeight"/> &gt;= 0
    /// weighs the standard deviation of the members' costs (0: their mean only). With <paramref name="ownsMembers"/>
    /// the members are disposed with this evaluator.
    /// </summary>
    public EnsembleRolloutEvaluator(IReadOnlyList<IRolloutEvaluator> members, float disagreementWeight = 0f, bool ownsMembers = true)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("an ensemble needs at least one member evaluator.", nameof(members));
        Guard.NonNegative(disagreementWeight, nameof(disagreementWeight));
        _members = new IRolloutEvaluator[members.Count];
        for (int k = 0; k < members.Count; k++)
        {
            var m = members[k] ?? throw new ArgumentException($"member {k} is null.", nameof(members));
            if (m.StateDim != members[0].StateDim || m.ActionDim != members[0].ActionDim || m.GoalDim != members[0].GoalDim)
                throw new ArgumentException($"member {k} has S={m.StateDim}, A={m.ActionDim}, G={m.GoalDim}; member 0 has S={members[0].StateDim}, A={members[0].ActionDim}, G={members[0].GoalDim}: members must plan over the same spaces.", nameof(members));
            _members[k] = m;
        }
        DisagreementWeight = disagreementWeight;
        _ownsMembers = ownsMembers;
    }

    /// <summary>Number of members K.</summary>
    public int Members => _members.Length;

    /// <summary>Weight of the members' cost standard deviation.</summary>
    public float DisagreementWeight { get; }

    /// <inheritdoc />
    public int StateDim => _members[0].StateDim;

    /// <inheritdoc />
    public int ActionDim => _members[0].ActionDim;

    /// <inheritdoc />
    public int GoalDim => _members[0].GoalDim;

    /// <inheritdoc />
    public bool SupportsGradients
    {
        get
        {
            foreach (var m in _members) if (!m.SupportsGradients) return false;
            return true;
        }
    }

    /// <summary>Sum over the members: the ensemble costs K model evaluations per step of a candidate.</summary>
    public long ModelEvaluations
    {
        get
        {
            long sum = 0;
            foreach (var m in _members) sum += m.ModelEvaluations;
            return sum;
        }
    }

    /// <inheritdoc />
    public void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var m in _members) m.Bind(initialLatents, goals, batch);
    }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int k = _members.Length;
        if (k == 1)
        {
            _members[0].Evaluate(actions, candidates, horizon, costs, actionGradients);
            return;
        }
        bool gradients = !actionGradients.IsEmpty;
        Ensure(ref _costs, k, costs.Length);
        if (gradients) Ensure(ref _gradients, k, actionGradients.Length);
        for (int j = 0; j < k; j++)
            _members[j].Evaluate(actions, candidates, horizon, _costs[j].AsSpan(0, costs.Length),
                gradients ? _gradients[j].AsSpan(0, actionGradients.Length) : Span<float>.Empty);

        int rows = costs.Length, perRow = gradients ? actionGradients.Length / Math.Max(rows, 1) : 0;
        float lambda = DisagreementWeight;
        for (int r = 0; r < rows; r++)
        {
            double mean = 0;
            for (int j = 0; j < k; j++) mean += _costs[j][r];
            mean /= k;
            double variance = 0;
            for (int j = 0; j < k; j++) { double d = _costs[j][r] - mean; variance += d * d; }
            double std = Math.Sqrt(variance / k);
            costs[r] = (float)(mean + lambda * std);
            if (!gradients) continue;
            var g = actionGradients.Slice(r * perRow, perRow);
            g.Clear();
            for (int j = 0; j < k; j++)
            {
                // d(mean + lambda std)/d c_j = 1/K + lambda (c_j - mean) / (K std); the std term has no slope at std = 0.
                float w = (float)((1.0 + (std > 0 ? lambda * (_costs[j][r] - mean) / std : 0.0)) / k);
                TensorPrimitives.MultiplyAdd(_gradients[j].AsSpan(r * perRow, perRow), w, g, g);
            }
        }
    }

    private static void Ensure(ref float[][] buffers, int count, int length)
    {
        if (buffers.Length == count && buffers[0].Length >= length) return;
        buffers = new float[count][];
        for (int j = 0; j < count; j++) buffers[j] = new float[length];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsMembers) foreach (var m in _members) m.Dispose();
    }
}
