using Planner.Costs;
using Planner.Planning;

namespace Planner.Hierarchy;

/// <summary>Where stuck detection puts the keep-out ball of a robot stuck on its subgoal.</summary>
public enum AvoidPlacement
{
    /// <summary>On the subgoal itself.</summary>
    Subgoal,

    /// <summary>
    /// Where the way was blocked: one ball radius from the robot towards its subgoal (or on the subgoal, if nearer),
    /// so the ball covers the crossing that failed and not the place behind it, which may be near the goal.
    /// </summary>
    Blockage,
}

/// <summary>Settings of one level of a hierarchy.</summary>
public sealed record LevelOptions
{
    /// <summary>Base steps (ticks) per step of this level, tau. Level 0 has 1.</summary>
    public int TimeScale { get; init; } = 1;

    /// <summary>Replan this level every so many ticks; 0 means every <see cref="TimeScale"/> ticks.</summary>
    public int ReplanEvery { get; init; }

    /// <summary>Which predicted latent of this level's plan (1 = after its first step) becomes the subgoal of the level below.</summary>
    public int SubgoalStep { get; init; } = 1;

    /// <summary>Replan this level early when the current latent is within this distance (L2) of the subgoal it handed down. 0 disables.</summary>
    public float SubgoalReachedRadius { get; init; }

    /// <summary>
    /// Replan this level early when the level below's best plan ends farther than this (L2) from the handed-down subgoal:
    /// the subgoal has become unreachable. Infinity disables.
    /// </summary>
    public float UnreachableDistance { get; init; } = float.PositiveInfinity;

    /// <summary>
    /// When the current latent is within this distance (L2) of this level's own goal, hand that goal itself down
    /// instead of a predicted latent: the level below can reach it unaided, and a subgoal from an imperfect model
    /// would only lead it astray. While every robot is that close the level does not plan at all, so near the goal a
    /// hierarchy costs what its bottom level costs. 0 disables.
    /// </summary>
    public float DirectGoalRadius { get; init; }

    /// <summary>
    /// Let the level below try the goal first: after a new goal, a robot's goal itself is handed down, and this level
    /// does not plan for it, while the level below's plan towards that goal ends within this distance (L2) of it, i.e.
    /// while the level below expects to reach the goal unaided. As soon as it does not, or the robot is found stuck
    /// (<see cref="StuckTicks"/>), this level plans for that robot (until <see cref="DirectGoalRadius"/> hands the goal
    /// down again near the end). Short tasks then cost exactly what the level below costs alone. 0 disables (this
    /// level plans from the first tick).
    /// </summary>
    public float ReachRadius { get; init; }

    /// <summary>
    /// Stuck detection: every so many ticks, a robot this level plans for whose latent moved less than
    /// <see cref="StuckDistance"/> since the last check is stuck. The subgoal it was handed is then recorded in the
    /// level's <see cref="HierarchyLevel.Avoided"/> memory (a cost term that keeps the next plans away from it), and the
    /// level replans from scratch. A robot stuck while it was handed the goal itself (<see cref="ReachRadius"/>
    /// delegation, or within <see cref="DirectGoalRadius"/>, e.g. behind a wall) gets a plan of this level instead; the
    /// goal is never avoided. 0 disables.
    /// </summary>
    public int StuckTicks { get; init; }

    /// <summary>Latent distance (L2) a robot must move within <see cref="StuckTicks"/> ticks not to count as stuck.</summary>
    public float StuckDistance { get; init; }

    /// <summary>Where stuck detection records the keep-out ball (default: on the subgoal).</summary>
    public AvoidPlacement AvoidPlacement { get; init; }

    /// <summary>
    /// With stuck detection: record the subgoal only when the level below agrees that it is blocked, i.e. its own
    /// latest plan ends within <see cref="StuckDistance"/> of where the robot is (a wall its finer model knows). When
    /// the level below still expects to move (say, a robot slow in a door), this level only replans from scratch, so
    /// a door that is merely hard to pass is not closed.
    /// </summary>
    public bool AvoidOnlyWhenBlocked { get; init; }

    /// <summary>
    /// Wander detection, stuck detection's long-window twin: every so many ticks, a robot this level plans for whose
    /// latent is within <see cref="WanderDistance"/> of where it was that many ticks before is circling in a pocket
    /// (a room whose way out the model gets wrong, say, moving but going nowhere). Its current latent is recorded in
    /// the level's <see cref="HierarchyLevel.Avoided"/> memory, so the next plans leave the pocket, and the level
    /// replans from scratch. Not for a robot near its goal (within the memory's radius of it). 0 disables.
    /// </summary>
    public int WanderTicks { get; init; }

    /// <summary>Latent distance (L2) a robot must be from where it was <see cref="WanderTicks"/> ticks before not to count as wandering.</summary>
    public float WanderDistance { get; init; }

    /// <summary>
    /// A circling robot within this latent distance (L2) of the level's goal gets no wander ball (0: the avoided-points
    /// radius). Kept balls near the goal would keep the level's plans away from the goal itself for the rest of the task.
    /// </summary>
    public float WanderGoalClearance { get; init; }

    /// <summary>
    /// With a goal distance given to the controller (a landmark graph): a robot within <see cref="DirectGoalRadius"/>
    /// (or the wander clearance) of its goal in a straight line counts as near only when the goal distance is at most
    /// this much longer than the straight one. A goal behind a wall is much farther along the graph (15-20 latent units
    /// against 1.5-2.5 straight, next to one nine-rooms wall), while the cells around a goal are only 2-3 farther (the
    /// graph's paths bend through moving latents). Infinity: the goal distance is ignored for nearness.
    /// </summary>
    public float GoalDetourTolerance { get; init; } = 4f;

    /// <summary>
    /// Ticks after which a subgoal recorded by stuck detection is forgotten (0: kept until the goal changes or the
    /// memory is full). A robot slow at a door would otherwise close that door for the rest of the task.
    /// </summary>
    public int AvoidTicks { get; init; }

    /// <summary>
    /// With <see cref="AvoidTicks"/>: a ball the level below confirms (its own latest plan ends within
    /// <see cref="StuckDistance"/> of where the robot is: a wall its finer model knows) is kept for the task; the others
    /// (a robot slow in a door, say) are still forgotten after <see cref="AvoidTicks"/> ticks.
    /// </summary>
    public bool KeepBlockedAvoids { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.AtLeast(TimeScale, 1, nameof(TimeScale));
        Guard.AtLeast(ReplanEvery, 0, nameof(ReplanEvery));
        Guard.AtLeast(SubgoalStep, 1, nameof(SubgoalStep));
        Guard.NonNegative(SubgoalReachedRadius, nameof(SubgoalReachedRadius));
        Guard.NonNegative(DirectGoalRadius, nameof(DirectGoalRadius));
        Guard.NonNegative(ReachRadius, nameof(ReachRadius));
        Guard.AtLeast(StuckTicks, 0, nameof(StuckTicks));
        Guard.NonNegative(StuckDistance, nameof(StuckDistance));
        Guard.AtLeast(AvoidTicks, 0, nameof(AvoidTicks));
        Guard.AtLeast(WanderTicks, 0, nameof(WanderTicks));
        Guard.NonNegative(WanderDistance, nameof(WanderDistance));
        Guard.NonNegative(WanderGoalClearance, nameof(WanderGoalClearance));
        Guard.NonNegative(GoalDetourTolerance, nameof(GoalDetourTolerance));
        if (!(UnreachableDistance > 0)) throw new ArgumentOutOfRangeException(nameof(UnreachableDistance), UnreachableDistance, $"{nameof(UnreachableDistance)} must be > 0 (infinity disables), got {UnreachableDistance}.");
    }
}

/// <summary>
/// One level: a planner over this level's world model (at time-scale tau, with its own action space: real actions at
/// level 0, latent macro-actions above), the predictor that turns its plan into latents, and its schedule. The
/// planner's goal is the goal latent at the top level and the subgoal from the level above otherwise, so a level's cost
/// (goal distance and any safety or action terms) needs no special type.
/// </summary>
public sealed class HierarchyLevel
{
    /// <summary>
    /// Creates a level; the predictor must match the planner's latent and action sizes. <paramref name="avoided"/>, when
    /// given, must be a term of the planner's cost: the controller records there the subgoals the level below got
    /// stuck on (<see cref="LevelOptions.StuckTicks"/>).
    /// </summary>
    public HierarchyLevel(IPlanner planner, ILatentPredictor predictor, LevelOptions? options = null, AvoidedPointsCost? avoided = null)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(predictor);
        Options = options ?? new LevelOptions();
        Options.Validate();
        if (predictor.StateDim != planner.StateDim || predictor.ActionDim != planner.ActionDim)
            throw new ArgumentException($"predictor maps (S={predictor.StateDim}, A={predictor.ActionDim}) but the planner plans (S={planner.StateDim}, A={planner.ActionDim}).", nameof(predictor));
        if (Options.SubgoalStep > planner.Horizon)
            throw new ArgumentOutOfRangeException(nameof(options), Options.SubgoalStep, $"SubgoalStep {Options.SubgoalStep} is beyond the planner's horizon {planner.Horizon}.");
        if (avoided is not null && (avoided.Robots != planner.Batch || avoided.Dim != planner.StateDim))
            throw new ArgumentException($"the avoided-points memory holds {avoided.Robots} robot(s) of size {avoided.Dim}; the planner plans {planner.Batch} robot(s) in a latent of size {planner.StateDim}.", nameof(avoided));
        Planner = planner;
        Predictor = predictor;
        Avoided = avoided;
    }

    /// <summary>The memory of subgoals the level below got stuck on (a term of this level's cost), or null.</summary>
    public AvoidedPointsCost? Avoided { get; }

    /// <summary>The planner.</summary>
    public IPlanner Planner { get; }

    /// <summary>The predictor of this level's latents.</summary>
    public ILatentPredictor Predictor { get; }

    /// <summary>The schedule and subgoal settings.</summary>
    public LevelOptions Options { get; }

    /// <summary>Ticks between scheduled replans.</summary>
    public int Period => Options.ReplanEvery > 0 ? Options.ReplanEvery : Options.TimeScale;
}
