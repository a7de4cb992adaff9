namespace Planner;

/// <summary>
/// The one boundary every planner sees: scores a batch of candidate action sequences by unrolling a world model from
/// bound initial latents and summing the cost terms. Layouts are row-major and flat:
/// actions <c>[B problems x N candidates x H steps x A]</c>, costs <c>[B x N]</c>, gradients like actions.
/// Implementations keep the whole rollout on their device; only actions go in and costs (and gradients) come out.
/// </summary>
public interface IRolloutEvaluator : IDisposable
{
    /// <summary>Latent size S of the world model.</summary>
    int StateDim { get; }

    /// <summary>Action size A.</summary>
    int ActionDim { get; }

    /// <summary>Goal size G (usually S; a subgoal passed from a level above may live in another space).</summary>
    int GoalDim { get; }

    /// <summary>True when <see cref="Evaluate"/> can return gradients with respect to the actions.</summary>
    bool SupportsGradients { get; }

    /// <summary>World-model steps run so far (forward steps plus backward steps), for comparing planners at equal compute.</summary>
    long ModelEvaluations { get; }

    /// <summary>Binds the problems of the next plan: <paramref name="initialLatents"/> <c>[B x S]</c>, <paramref name="goals"/> <c>[B x G]</c>.</summary>
    void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch);

    /// <summary>
    /// Scores <paramref name="actions"/> <c>[B x N x H x A]</c> into <paramref name="costs"/> <c>[B x N]</c>; when
    /// <paramref name="actionGradients"/> is not empty also writes dCost/dActions into it (same shape as actions).
    /// Non-finite results are reported as they are; planners decide what to do with them.
    /// </summary>
    void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients);
}

/// <summary>Maps observations to latents (perception). Implementations must be safe to call with any row count.</summary>
public interface IEncoder
{
    /// <summary>Observation size O.</summary>
    int ObservationDim { get; }

    /// <summary>Latent size S.</summary>
    int LatentDim { get; }

    /// <summary>Encodes <paramref name="observations"/> <c>[rows x O]</c> into <paramref name="latents"/> <c>[rows x S]</c>.</summary>
    void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows);
}

/// <summary>The identity encoder: the observation is the latent (for models of known state).</summary>
public sealed class IdentityEncoder(int dimension) : IEncoder
{
    /// <inheritdoc />
    public int ObservationDim { get; } = dimension;

    /// <inheritdoc />
    public int LatentDim => ObservationDim;

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows)
        => observations[..(rows * ObservationDim)].CopyTo(latents);
}
