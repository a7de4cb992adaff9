namespace Planner.Data;

/// <summary>
/// Reward-free experience: E episodes of T steps. Observations <c>[E x (T+1) x O]</c> (state vectors or flattened
/// images), actions <c>[E x T x A]</c>, and optional ground-truth positions <c>[E x (T+1) x P]</c> used only for
/// evaluation (linear probes, plots), never for training the world model.
/// </summary>
public sealed class TrajectoryDataset
{
    /// <summary>Creates a dataset, validating every length.</summary>
    public TrajectoryDataset(int episodes, int steps, int observationDim, int actionDim, float[] observations, float[] actions,
        int positionDim = 0, float[]? positions = null, IReadOnlyDictionary<string, string>? metadata = null,
        IReadOnlyList<int>? observationShape = null)
    {
        Guard.AtLeast(episodes, 1, nameof(episodes));
        Guard.AtLeast(steps, 1, nameof(steps));
        Guard.AtLeast(observationDim, 1, nameof(observationDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        Guard.AtLeast(positionDim, 0, nameof(positionDim));
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(actions);
        Guard.Length(observations.Length, episodes * (steps + 1) * observationDim, nameof(observations), $"[E={episodes} x (T+1)={steps + 1} x O={observationDim}]");
        Guard.Length(actions.Length, episodes * steps * actionDim, nameof(actions), $"[E={episodes} x T={steps} x A={actionDim}]");
        if (positionDim > 0)
        {
            ArgumentNullException.ThrowIfNull(positions);
            Guard.Length(positions.Length, episodes * (steps + 1) * positionDim, nameof(positions), $"[E={episodes} x (T+1)={steps + 1} x P={positionDim}]");
        }
        Episodes = episodes;
        Steps = steps;
        ObservationDim = observationDim;
        ActionDim = actionDim;
        PositionDim = positionDim;
        Observations = observations;
        Actions = actions;
        Positions = positions ?? [];
        Metadata = metadata ?? new Dictionary<string, string>();
        ObservationShape = ValidShape(observationShape, observationDim);
    }

    private static int[] ValidShape(IReadOnlyList<int>? shape, int observationDim)
    {
        if (shape is null) return [observationDim];
        long product = 1;
        var copy = new int[shape.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = shape[i];
            product *= Math.Max(copy[i], 0);
        }
        if (copy.Length == 0 || product != observationDim || Array.Exists(copy, d => d < 1))
            throw new ArgumentException($"observationShape [{string.Join(", ", copy)}] must be positive sizes whose product is observationDim = {observationDim}.", "observationShape");
        return copy;
    }

    /// <summary>Episodes E.</summary>
    public int Episodes { get; }

    /// <summary>Steps T per episode (each episode has T+1 observations).</summary>
    public int Steps { get; }

    /// <summary>Observation size O.</summary>
    public int ObservationDim { get; }

    /// <summary>
    /// Shape of one observation: <c>[O]</c> for vectors, <c>[H, W]</c> for images (flattened row-major into O floats).
    /// </summary>
    public IReadOnlyList<int> ObservationShape { get; }

    /// <summary>Action size A.</summary>
    public int ActionDim { get; }

    /// <summary>Position size P (0 when absent).</summary>
    public int PositionDim { get; }

    /// <summary>Observations, <c>[E x (T+1) x O]</c>.</summary>
    public float[] Observations { get; }

    /// <summary>Actions, <c>[E x T x A]</c>.</summary>
    public float[] Actions { get; }

    /// <summary>Ground-truth positions, <c>[E x (T+1) x P]</c> (empty when P = 0).</summary>
    public float[] Positions { get; }

    /// <summary>Free-form facts about the data (environment, layout, observation kind, image size, seed...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Observation t of episode e.</summary>
    public ReadOnlySpan<float> Observation(int e, int t) => Observations.AsSpan((e * (Steps + 1) + t) * ObservationDim, ObservationDim);

    /// <summary>Action t of episode e.</summary>
    public ReadOnlySpan<float> Action(int e, int t) => Actions.AsSpan((e * Steps + t) * ActionDim, ActionDim);
}
