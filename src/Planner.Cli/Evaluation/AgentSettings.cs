using Planner.Planning;

namespace Planner.Cli.Evaluation;

/// <summary>One level's planner settings.</summary>
/// <param name="Planner">Which optimiser.</param>
/// <param name="Samples">Candidates N per iteration.</param>
/// <param name="Horizon">Steps H of this level.</param>
/// <param name="Iterations">Iterations K per plan.</param>
internal sealed record LevelSettings(PlannerKind Planner, int Samples, int Horizon, int Iterations);

/// <summary>Which levels' goal distance runs along the landmark graph (<c>planner landmarks</c>).</summary>
internal enum LandmarkUse
{
    /// <summary>None: straight latent distance everywhere.</summary>
    Off,

    /// <summary>Levels above 0 (the macro planners).</summary>
    Upper,

    /// <summary>Every level, level 0 (and so the flat planner) included.</summary>
    All,
}

/// <summary>How an agent plans in a maze: a flat stack (one level) or a hierarchy, on a backend.</summary>
internal sealed record AgentSettings
{
    /// <summary><c>managed</c> (CPU, no libtorch) or <c>torch</c>.</summary>
    public string Backend { get; init; } = "managed";

    /// <summary>Levels from the bottom (real actions) up.</summary>
    public required IReadOnlyList<LevelSettings> Levels { get; init; }

    /// <summary>Worker threads of the managed backend (libtorch threads for torch).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Seed of the planners' random streams.</summary>
    public int Seed { get; init; }

    /// <summary>Distance to the (sub)goal latent used by every level's cost.</summary>
    public Costs.DistanceKind Distance { get; init; } = Costs.DistanceKind.L2;

    /// <summary>Which levels measure the distance to their goal along the model's landmark graph instead of straight (L2).</summary>
    public LandmarkUse Landmarks { get; init; }

    /// <summary>With landmarks: a goal within a radius in a straight line is near only if at most this much farther along the graph.</summary>
    public float GoalDetourTolerance { get; init; } = 4f;

    /// <summary>Weight of the goal distance on steps before the last (the last step has weight 1).</summary>
    public float StepWeight { get; init; } = 0.1f;

    /// <summary>Goal-distance weight of steps before the last at levels above 0 (0: terminal cost only).</summary>
    public float HighStepWeight { get; init; } = 0.1f;

    /// <summary>Which predicted latent of an upper level's plan becomes the subgoal of the level below.</summary>
    public int SubgoalStep { get; init; } = 4;

    /// <summary>Weight of the action magnitude term at level 0.</summary>
    public float ActionWeight { get; init; } = 1e-3f;

    /// <summary>Upper levels hand the goal itself down when the current latent is within this distance of it (0: off).</summary>
    public float DirectGoalRadius { get; init; } = 2f;

    /// <summary>Upper levels let the level below try the goal first, and plan only once its plan ends farther than this from the goal (0: off).</summary>
    public float ReachRadius { get; init; } = 0.5f;

    /// <summary>Upper levels replan every so many ticks (0: every tau ticks, their time-scale).</summary>
    public int HighReplanEvery { get; init; }

    /// <summary>Upper levels check every so many ticks whether a robot is stuck on its subgoal (0: off).</summary>
    public int StuckTicks { get; init; } = 16;

    /// <summary>Latent distance a robot must move between stuck checks.</summary>
    public float StuckDistance { get; init; } = 1f;

    /// <summary>Upper levels check every so many ticks whether a robot is circling in a pocket (0: off).</summary>
    public int WanderTicks { get; init; }

    /// <summary>Latent distance a robot must be from where it was at the last wander check.</summary>
    public float WanderDistance { get; init; } = 2f;

    /// <summary>A circling robot this close (latent) to its goal gets no wander ball (0: the avoid radius).</summary>
    public float WanderGoalClearance { get; init; }

    /// <summary>Where a stuck robot's keep-out ball goes: on its subgoal, or where its way was blocked.</summary>
    public Hierarchy.AvoidPlacement AvoidPlacement { get; init; }

    /// <summary>Radius of the keep-out ball around a subgoal a robot got stuck on.</summary>
    public float AvoidRadius { get; init; } = 2f;

    /// <summary>Place a keep-out ball only when the level below's own plan also stalls (it knows the way is blocked).</summary>
    public bool AvoidOnlyWhenBlocked { get; init; }

    /// <summary>Ticks after which a keep-out ball is forgotten (0: kept for the whole task).</summary>
    public int AvoidTicks { get; init; }

    /// <summary>With AvoidTicks: keep the balls the level below confirms (its own plan also stalls there) for the whole task.</summary>
    public bool KeepBlockedAvoids { get; init; }

    /// <summary>Weight of those keep-out balls.</summary>
    public float AvoidWeight { get; init; } = 10f;

    /// <summary>Weight of the standard deviation of the ensemble members' costs at levels with an ensemble of predictors (0: their mean).</summary>
    public float EnsembleDisagreement { get; init; }

    /// <summary>Upper levels search macro-actions in [-HighBound, HighBound]^M.</summary>
    public float HighBound { get; init; } = 1f;

    /// <summary>Weight of the squared macro-action at levels above 0.</summary>
    public float HighActionWeight { get; init; }

    /// <summary>Upper levels replan early when the current latent is this close to the subgoal they handed down (0: off).</summary>
    public float SubgoalReachedRadius { get; init; }
}
