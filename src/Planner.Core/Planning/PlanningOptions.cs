namespace Planner.Planning;

/// <summary>Settings shared by every planner.</summary>
public sealed record PlanningOptions
{
    /// <summary>Steps H in each planned action sequence.</summary>
    public int Horizon { get; init; } = 16;

    /// <summary>Candidates N evaluated per problem and iteration (samples for CEM/MPPI, restarts for gradient descent).</summary>
    public int Candidates { get; init; } = 64;

    /// <summary>Iteration budget K.</summary>
    public int Iterations { get; init; } = 20;

    /// <summary>Action bounds, respected by every returned action. Null: unbounded.</summary>
    public ActionBounds? Bounds { get; init; }

    /// <summary>Wall-clock budget of one plan call; null for none. The planner stops before it and returns the best plan so far.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Seed of the random streams. Problem b of a batch uses stream <c>Seed + b</c>, so planning it alone with that seed gives the same plan.</summary>
    public int Seed { get; init; }

    /// <summary>Actions used where no plan is available (first call, or every candidate non-finite). Null: 0 clamped into the bounds.</summary>
    public float[]? SafeAction { get; init; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate(int actionDim)
    {
        Guard.AtLeast(Horizon, 1, nameof(Horizon));
        Guard.AtLeast(Candidates, 1, nameof(Candidates));
        Guard.AtLeast(Iterations, 0, nameof(Iterations));
        if (Deadline is { } d && !(d > TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(nameof(Deadline), d, $"{nameof(Deadline)} must be > 0 (or null for none), got {d.TotalMilliseconds} ms.");
        if (Bounds is not null && Bounds.Dimension != actionDim)
            throw new ArgumentException($"{nameof(Bounds)} has {Bounds.Dimension} dimensions; expected {actionDim} (the action size).", nameof(Bounds));
        if (SafeAction is not null)
        {
            Guard.Length(SafeAction.Length, actionDim, nameof(SafeAction), "one value per action dimension");
            Guard.Finite(SafeAction, nameof(SafeAction));
            if (Bounds is not null && !Bounds.Contains(SafeAction))
                throw new ArgumentException($"{nameof(SafeAction)} lies outside {nameof(Bounds)}; expected a safe action inside the bounds.", nameof(SafeAction));
        }
    }
}

/// <summary>Gradient planner settings: Adam over the action sequence with restarts.</summary>
public sealed record GradientOptions
{
    /// <summary>Adam step size as a fraction of each action dimension's half-range (half of <see cref="ActionBounds.Scale"/>; 1 when unbounded).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Adam first-moment decay.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam second-moment decay.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Final learning rate as a fraction of the initial one (cosine decay over the iteration budget); 1 keeps it constant.</summary>
    public float FinalLearningRateFraction { get; init; } = 0.1f;

    /// <summary>Std of the perturbations around the warm start, as a fraction of each action dimension's range.</summary>
    public float PerturbationScale { get; init; } = 0.1f;

    /// <summary>Fraction of the restarts drawn uniformly in the bounds (the rest perturb the warm start).</summary>
    public float RandomFraction { get; init; } = 0.5f;

    /// <summary>Stop a problem when its best cost improved by less than this fraction over <see cref="Patience"/> iterations. 0 disables.</summary>
    public float ConvergenceTolerance { get; init; } = 1e-5f;

    /// <summary>Iterations over which convergence is judged.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.InRange(Beta1, 0, 0.999999, nameof(Beta1));
        Guard.InRange(Beta2, 0, 0.999999, nameof(Beta2));
        Guard.InRange(FinalLearningRateFraction, 0, 1, nameof(FinalLearningRateFraction));
        Guard.NonNegative(PerturbationScale, nameof(PerturbationScale));
        Guard.InRange(RandomFraction, 0, 1, nameof(RandomFraction));
        Guard.NonNegative(ConvergenceTolerance, nameof(ConvergenceTolerance));
        Guard.AtLeast(Patience, 1, nameof(Patience));
    }
}

/// <summary>Cross-entropy method settings.</summary>
public sealed record CemOptions
{
    /// <summary>Elites kept per iteration (at most the candidate count).</summary>
    public int Elites { get; init; } = 8;

    /// <summary>Initial sampling std, as a fraction of each action dimension's range.</summary>
    public float InitialStd { get; init; } = 0.5f;

    /// <summary>Floor on the sampling std, as a fraction of the range, so the search never freezes.</summary>
    public float MinStd { get; init; } = 0.02f;

    /// <summary>Weight of the previous mean/std when refitting (0: replace).</summary>
    public float Momentum { get; init; } = 0.1f;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.AtLeast(Elites, 1, nameof(Elites));
        Guard.Positive(InitialStd, nameof(InitialStd));
        Guard.NonNegative(MinStd, nameof(MinStd));
        Guard.InRange(Momentum, 0, 0.999, nameof(Momentum));
    }
}

/// <summary>Model-predictive path integral settings.</summary>
public sealed record MppiOptions
{
    /// <summary>Temperature lambda of the exponential weighting, relative to the spread of costs (costs are divided by the std of the finite costs).</summary>
    public float Temperature { get; init; } = 0.1f;

    /// <summary>Std of the exploration noise as a fraction of each action dimension's range.</summary>
    public float NoiseStd { get; init; } = 0.25f;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.Positive(Temperature, nameof(Temperature));
        Guard.Positive(NoiseStd, nameof(NoiseStd));
    }
}

/// <summary>CEM-then-gradient settings: a sampling stage finds basins, Adam refines the best few.</summary>
public sealed record HybridOptions
{
    /// <summary>Fraction of the iteration budget spent in the CEM stage.</summary>
    public float SamplingFraction { get; init; } = 0.3f;

    /// <summary>Best candidates refined by gradient descent.</summary>
    public int RefineCandidates { get; init; } = 4;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.InRange(SamplingFraction, 0, 1, nameof(SamplingFraction));
        Guard.AtLeast(RefineCandidates, 1, nameof(RefineCandidates));
    }
}
