using Planner.Costs;
using Planner.Hierarchy;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;

namespace Planner.Tests.Hierarchy;

/// <summary>
/// Hierarchies over exact models of a damped 2-D point mass: level k's model is the base system composed over tau_k
/// steps, its macro-action the stacked primitive actions (so every level's model is exact and the behaviour of
/// scheduling and subgoal passing can be checked precisely).
/// </summary>
public class HierarchyTests
{
    private const int S = 4, A = 2;

    /// <summary>x = (px, py, vx, vy); p += 0.1 v; v = 0.9 v + 0.1 u.</summary>
    private static LinearDynamics PointMass()
    {
        var a = new float[S * S];
        a[0 * S + 0] = 1; a[0 * S + 2] = 0.1f;
        a[1 * S + 1] = 1; a[1 * S + 3] = 0.1f;
        a[2 * S + 2] = 0.9f; a[3 * S + 3] = 0.9f;
        var b = new float[S * A];
        b[2 * A + 0] = 0.1f; b[3 * A + 1] = 0.1f;
        return new LinearDynamics(a, b, S, A);
    }

    /// <summary>The model of k steps of <paramref name="d"/>: x_{t+k} = A^k x + [A^{k-1}B ... AB B] [u_0; ...; u_{k-1}].</summary>
    internal static LinearDynamics Compose(LinearDynamics d, int k)
    {
        int s = d.StateDim, m = d.ActionDim;
        var a = d.A.ToArray();
        var power = Identity(s);
        var blocks = new float[k][];
        for (int j = k - 1; j >= 0; j--)
        {
            blocks[j] = Mul(power, d.B.ToArray(), s, s, m); // A^{k-1-j} B
            power = Mul(power, a, s, s, s);
        }
        var bk = new float[s * k * m];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < s; i++)
                for (int c = 0; c < m; c++) bk[i * k * m + j * m + c] = blocks[j][i * m + c];
        return new LinearDynamics(power, bk, s, k * m);
    }

    private static float[] Identity(int n) { var x = new float[n * n]; for (int i = 0; i < n; i++) x[i * n + i] = 1; return x; }

    private static float[] Mul(float[] l, float[] r, int n, int k, int m)
    {
        var y = new float[n * m];
        for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) for (int j = 0; j < m; j++) y[i * m + j] += l[i * k + p] * r[p * m + j];
        return y;
    }

    private static CostFunction LevelCost() => new(new GoalDistanceCost(DistanceKind.SquaredL2, 0.1f, 1f), new ActionMagnitudeCost(1e-4f));

    private static HierarchyLevel Level(LinearDynamics model, int tau, int horizon, int batch, float reached = 0, float unreachable = float.PositiveInfinity)
    {
        var evaluator = new ManagedRolloutEvaluator(model, LevelCost());
        var options = new PlanningOptions { Horizon = horizon, Candidates = 4, Iterations = 40, Bounds = ActionBounds.Uniform(model.ActionDim, -1, 1), Seed = tau };
        var planner = new GradientPlanner(evaluator, options, batch, new GradientOptions { LearningRate = 0.2f });
        return new HierarchyLevel(planner, new DynamicsPredictor(model), new LevelOptions { TimeScale = tau, SubgoalReachedRadius = reached, UnreachableDistance = unreachable });
    }

    private static float[] Goal(int batch, float px, float py)
    {
        var g = new float[batch * S];
        for (int b = 0; b < batch; b++) { g[b * S] = px + b; g[b * S + 1] = py; }
        return g;
    }

    private static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (x[i] - y[i]) * (x[i] - y[i]);
        return MathF.Sqrt(sum);
    }

    private static (float[] State, int Ticks) RunToGoal(HierarchicalController controller, float[] goal, int maxTicks)
    {
        var system = PointMass();
        int batch = controller.Batch;
        var x = new float[batch * S];
        var next = new float[batch * S];
        var u = new float[batch * A];
        controller.SetGoalLatents(goal);
        for (int tick = 0; tick < maxTicks; tick++)
        {
            controller.Act(x, u);
            Assert.That(u.All(v => v is >= -1 and <= 1), Is.True, "actions stay in bounds at every level");
            system.Forward(x, u, next, default, batch);
            next.CopyTo(x, 0);
            bool all = true;
            for (int b = 0; b < batch; b++) all &= Distance(x.AsSpan(b * S, 2), goal.AsSpan(b * S, 2)) < 0.3f;
            if (all) return (x, tick + 1);
        }
        return (x, maxTicks);
    }

    [Test]
    public void TwoLevelStackReachesAGoalBeyondTheLowLevelHorizon()
    {
        const int batch = 2;
        using var controller = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, batch), Level(Compose(PointMass(), 8), 8, 6, batch)]);
        var (_, ticks) = RunToGoal(controller, Goal(batch, 2f, -1.5f), 300);
        Assert.That(ticks, Is.LessThan(300), "every robot reaches its goal");
    }

    [Test]
    public void ThreeLevelStackRunsAndReachesTheGoal()
    {
        var base1 = PointMass();
        var l1 = Compose(base1, 4);
        var l2 = Compose(l1, 4); // 16 base steps per step
        using var controller = new HierarchicalController(new IdentityEncoder(S),
            [Level(base1, 1, 6, 1), Level(l1, 4, 4, 1), Level(l2, 16, 4, 1)]);
        Assert.That(controller.Levels, Is.EqualTo(3));
        var (_, ticks) = RunToGoal(controller, Goal(1, 3f, 2f), 400);
        Assert.That(ticks, Is.LessThan(400));
    }

    [Test]
    public void NearTheGoalTheGoalItselfIsHandedDownPerRobot()
    {
        var model1 = Compose(PointMass(), 8);
        var low = Level(PointMass(), 1, 8, 2);
        var evaluator = new ManagedRolloutEvaluator(model1, LevelCost());
        var options = new PlanningOptions { Horizon = 6, Candidates = 4, Iterations = 40, Bounds = ActionBounds.Uniform(model1.ActionDim, -1, 1), Seed = 8 };
        var high = new HierarchyLevel(new GradientPlanner(evaluator, options, 2, new GradientOptions { LearningRate = 0.2f }), new DynamicsPredictor(model1),
            new LevelOptions { TimeScale = 8, DirectGoalRadius = 1f });
        using var controller = new HierarchicalController(new IdentityEncoder(S), [low, high]);
        // Robot 0's goal is 0.5 away (within the radius), robot 1's is 4 away.
        var goal = new float[2 * S];
        goal[0] = 0.5f;
        goal[S] = 4f;
        controller.SetGoalLatents(goal);
        var u = new float[2 * A];
        controller.Act(new float[2 * S], u);
        var handed = controller.GoalOf(0);
        Assert.That(handed.Slice(0, S).ToArray(), Is.EqualTo(goal.AsSpan(0, S).ToArray()), "near: the goal itself");
        Assert.That(handed.Slice(S, S).ToArray(), Is.EqualTo(controller.PredictedLatents(1).Slice(6 * S, S).ToArray()), "far: the predicted latent");
        Assert.That(handed.Slice(S, S).ToArray(), Is.Not.EqualTo(goal.AsSpan(S, S).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevelOptions { DirectGoalRadius = -1 }.Validate());

        // Both robots near their goals: level 1 does not plan, level 0 plans towards the goals themselves.
        var near = new float[2 * S];
        near[0] = 0.5f;
        near[S] = -0.5f;
        controller.Reset();
        controller.SetGoalLatents(near);
        var tick = controller.Act(new float[2 * S], u);
        Assert.That(tick.Replanned(1), Is.False, "no upper-level plan near the goal");
        Assert.That(tick.Replanned(0), Is.True);
        Assert.That(controller.GoalOf(0).ToArray(), Is.EqualTo(near));
    }

    /// <summary>A metric with a wall at px = 0.25: goals on the other side are 10 farther than in a straight line (beyond the default tolerance of 4).</summary>
    private sealed class WallMetric : ILatentDistance
    {
        public int LatentDim => S;

        public float Distance(ReadOnlySpan<float> latent, ReadOnlySpan<float> goal) =>
            HierarchyTests.Distance(latent, goal) + ((latent[0] < 0.25f) == (goal[0] < 0.25f) ? 0 : 10);
    }

    [Test]
    public void WithAGoalDistanceAGoalBehindAWallIsNotNearSoTheUpperLevelPlans()
    {
        var options = new LevelOptions { TimeScale = 8, DirectGoalRadius = 1f };
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 2), UpperLevel(2, options)],
            goalDistance: new WallMetric());
        // Both goals are 0.5 away in a straight line; robot 0's is on its side of the wall, robot 1's behind it.
        var goal = new float[2 * S];
        goal[0] = -0.5f;
        goal[S] = 0.5f;
        controller.SetGoalLatents(goal);
        var u = new float[2 * A];
        var tick = controller.Act(new float[2 * S], u);
        Assert.That(tick.Replanned(1), Is.True, "robot 1 is far along the metric: the upper level plans");
        var handed = controller.GoalOf(0);
        Assert.That(handed.Slice(0, S).ToArray(), Is.EqualTo(goal.AsSpan(0, S).ToArray()), "near along the metric: the goal itself");
        Assert.That(handed.Slice(S, S).ToArray(), Is.EqualTo(controller.PredictedLatents(1).Slice(6 * S, S).ToArray()), "behind the wall: the upper level's subgoal");
        Assert.That(() => new HierarchicalController(new IdentityEncoder(S + 1), [Level(PointMass(), 1, 8, 2)], goalDistance: new WallMetric()),
            Throws.ArgumentException);

        // A tolerance above the detour: both goals count as near again, and no upper plan is needed.
        using var tolerant = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, 2), UpperLevel(2, options with { GoalDetourTolerance = 11f })], goalDistance: new WallMetric());
        tolerant.SetGoalLatents(goal);
        Assert.That(tolerant.Act(new float[2 * S], u).Replanned(1), Is.False);
        Assert.That(tolerant.GoalOf(0).ToArray(), Is.EqualTo(goal));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevelOptions { GoalDetourTolerance = -1 }.Validate());
    }

    private static HierarchyLevel UpperLevel(int batch, LevelOptions options, AvoidedPointsCost? avoided = null)
    {
        var model1 = Compose(PointMass(), 8);
        var cost = avoided is null ? LevelCost() : new CostFunction([.. LevelCost().Terms, avoided]);
        var evaluator = new ManagedRolloutEvaluator(model1, cost);
        var planning = new PlanningOptions { Horizon = 6, Candidates = 4, Iterations = 40, Bounds = ActionBounds.Uniform(model1.ActionDim, -1, 1), Seed = 8 };
        return new HierarchyLevel(new GradientPlanner(evaluator, planning, batch, new GradientOptions { LearningRate = 0.2f }), new DynamicsPredictor(model1), options, avoided);
    }

    [Test]
    public void WithAReachRadiusTheLevelBelowTriesTheGoalFirstAndTheUpperLevelPlansOnlyForRobotsItCannotReach()
    {
        using var controller = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, 2), UpperLevel(2, new LevelOptions { TimeScale = 8, ReachRadius = 0.05f })]);
        // Robot 0's goal is within level 0's 8-step reach, robot 1's is far beyond it.
        var goal = new float[2 * S];
        goal[0] = 0.05f;
        goal[S] = 4f;
        controller.SetGoalLatents(goal);
        var u = new float[2 * A];
        var x = new float[2 * S];

        var first = controller.Act(x, u);
        Assert.That(first.Replanned(1), Is.False, "first tick: level 1 delegates every robot and does not plan");
        Assert.That(first.Replanned(0), Is.True);
        Assert.That(controller.GoalOf(0).ToArray(), Is.EqualTo(goal), "both robots get their goal itself");
        float end1 = Distance(controller.PredictedLatents(0).Slice((2 * 8 - 1) * S, S), goal.AsSpan(S, S));
        Assert.That(end1, Is.GreaterThan(0.05f), "level 0 cannot reach robot 1's goal in its horizon");

        var second = controller.Act(x, u);
        Assert.That(second.Replanned(1), Is.True, "level 1 plans once level 0's plan ends outside the reach radius");
        var handed = controller.GoalOf(0);
        Assert.That(handed.Slice(0, S).ToArray(), Is.EqualTo(goal.AsSpan(0, S).ToArray()), "robot 0 is still delegated: its goal itself");
        Assert.That(handed.Slice(S, S).ToArray(), Is.EqualTo(controller.PredictedLatents(1).Slice((6 + 0) * S, S).ToArray()),
            "robot 1 follows level 1's first predicted latent");
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevelOptions { ReachRadius = -1 }.Validate());
    }

    [Test]
    public void WhileTheGoalIsReachableAHierarchyCostsExactlyWhatItsBottomLevelCostsAlone()
    {
        var goal = new float[S];
        goal[0] = 0.05f;
        goal[1] = -0.04f;
        using var hierarchy = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, 1), UpperLevel(1, new LevelOptions { TimeScale = 8, ReachRadius = 0.05f })]);
        using var flat = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1)]);
        hierarchy.SetGoalLatents(goal);
        flat.SetGoalLatents(goal);
        var system = PointMass();
        var x = new float[S];
        var next = new float[S];
        var u = new float[A];
        var uFlat = new float[A];
        for (int tick = 0; tick < 30; tick++)
        {
            var h = hierarchy.Act(x, u);
            var f = flat.Act(x, uFlat);
            Assert.That(h.Replanned(1), Is.False, $"tick {tick}: the goal stays reachable, level 1 never plans");
            Assert.That(h.ModelEvaluations, Is.EqualTo(f.ModelEvaluations), $"tick {tick}: same compute as level 0 alone");
            Assert.That(u, Is.EqualTo(uFlat), $"tick {tick}: same actions as level 0 alone");
            system.Forward(x, u, next, default, 1);
            next.CopyTo(x, 0);
        }
        Assert.That(Distance(x.AsSpan(0, 2), goal.AsSpan(0, 2)), Is.LessThan(0.02f), "and the goal is reached");
    }

    [Test]
    public void ARobotStuckOnItsSubgoalHasItRecordedAsAvoidedAndTheUpperLevelReplansAwayFromIt()
    {
        var model1 = Compose(PointMass(), 8);
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f);
        var evaluator = new ManagedRolloutEvaluator(model1, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.1f, 1f), new ActionMagnitudeCost(1e-4f), avoided));
        var planning = new PlanningOptions { Horizon = 6, Candidates = 4, Iterations = 40, Bounds = ActionBounds.Uniform(model1.ActionDim, -1, 1), Seed = 8 };
        var high = new HierarchyLevel(new GradientPlanner(evaluator, planning, 1, new GradientOptions { LearningRate = 0.2f }), new DynamicsPredictor(model1),
            new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.1f }, avoided);
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), high]);
        var goal = Goal(1, 4f, 0f);
        controller.SetGoalLatents(goal);
        var x = new float[S]; // the robot never moves: it is pinned against a wall the models do not know
        var u = new float[A];
        for (int tick = 0; tick < 4; tick++)
        {
            var status = controller.Act(x, u);
            Assert.That(status.Replanned(1), Is.EqualTo(tick == 0), $"tick {tick}: only the first plan before the check");
            Assert.That(avoided.CountOf(0), Is.EqualTo(0));
        }
        var stuckOn = controller.GoalOf(0).ToArray();
        var replan = controller.Act(x, u);
        Assert.That(replan.Replanned(1), Is.True, "the stuck check forces a fresh upper plan");
        Assert.That(avoided.CountOf(0), Is.EqualTo(1));
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(stuckOn), "the subgoal it was stuck on is remembered");
        float after = Distance(controller.GoalOf(0), stuckOn);
        Assert.That(after, Is.GreaterThan(0.5f), "the new subgoal moves off the avoided point (with weight 0 it is the same subgoal)");

        // A robot that moves is not stuck; a new goal clears the memory.
        controller.SetGoalLatents(goal);
        Assert.That(avoided.CountOf(0), Is.EqualTo(0));
        for (int tick = 0; tick < 9; tick++)
        {
            x[0] = 0.2f * tick;
            controller.Act(x, u);
        }
        Assert.That(avoided.CountOf(0), Is.EqualTo(0), "moving robots are not stuck");
        Assert.Throws<ArgumentException>(() => new HierarchyLevel(high.Planner, high.Predictor, high.Options, new AvoidedPointsCost(2, S, 1f, 1f)));
    }

    /// <summary>
    /// With AvoidOnlyWhenBlocked, a pinned robot's subgoal is recorded only when level 0's own model also predicts no
    /// progress (its plan ends where the robot is); when level 0 still expects to move, level 1 only replans.
    /// </summary>
    [TestCase(true, 1, TestName = "ASubgoalIsAvoidedWhenTheLevelBelowAlsoStalls")]
    [TestCase(false, 0, TestName = "ASubgoalIsNotAvoidedWhileTheLevelBelowExpectsToMove")]
    public void AvoidOnlyWhenBlockedAsksTheLevelBelow(bool lowerModelStalls, int expectedPoints)
    {
        var model1 = Compose(PointMass(), 8);
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f);
        var evaluator = new ManagedRolloutEvaluator(model1, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.1f, 1f), avoided));
        var planning = new PlanningOptions { Horizon = 4, Candidates = 2, Iterations = 5, Bounds = ActionBounds.Uniform(model1.ActionDim, -1, 1), Seed = 8 };
        var high = new HierarchyLevel(new GradientPlanner(evaluator, planning, 1), new DynamicsPredictor(model1),
            new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.1f, AvoidOnlyWhenBlocked = true }, avoided);
        // A level-0 model whose actions do nothing predicts that the robot stays put: it "knows" the way is blocked.
        var low = lowerModelStalls ? new LinearDynamics(PointMass().A.ToArray(), new float[S * A], S, A) : PointMass();
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(low, 1, 8, 1), high]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S]; // pinned
        var u = new float[A];
        for (int tick = 0; tick < 4; tick++) controller.Act(x, u);
        var check = controller.Act(x, u);
        Assert.That(check.Replanned(1), Is.True, "a stuck robot always gets a fresh upper plan");
        Assert.That(avoided.CountOf(0), Is.EqualTo(expectedPoints));
    }

    /// <summary>With AvoidPlacement.Blockage the ball goes one radius from the stuck robot towards its subgoal, not on it.</summary>
    [Test]
    public void ABlockageBallLiesBetweenTheRobotAndItsSubgoal()
    {
        var avoided = new AvoidedPointsCost(1, S, radius: 0.5f, weight: 10f);
        var options = new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.1f, AvoidPlacement = AvoidPlacement.Blockage };
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), UpperLevel(1, options, avoided)]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S];
        x[1] = 1f; // pinned away from the origin, so "towards the subgoal" is not "towards the origin"
        var u = new float[A];
        for (int tick = 0; tick < 4; tick++) controller.Act(x, u);
        var subgoal = controller.GoalOf(0).ToArray();
        Assert.That(Distance(x, subgoal), Is.GreaterThan(0.5f), "the subgoal is farther than one radius");
        controller.Act(x, u);
        Assert.That(avoided.CountOf(0), Is.EqualTo(1));
        var point = avoided.PointOf(0, 0).ToArray();
        Assert.That(Distance(point, x), Is.EqualTo(0.5f).Within(1e-5f), "one radius from the robot");
        Assert.That(Distance(point, subgoal), Is.EqualTo(Distance(x, subgoal) - 0.5f).Within(1e-4f), "on the segment to the subgoal");
    }

    [TestCase(0, 8, TestName = "WithoutExpiryAPinnedRobotFillsItsAvoidedMemory")]
    [TestCase(6, 2, TestName = "AvoidedSubgoalsExpireAfterAvoidTicks")]
    public void AvoidedSubgoalsAreForgottenAfterAvoidTicks(int avoidTicks, int expectedMost)
    {
        var model1 = Compose(PointMass(), 8);
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f, capacity: 8);
        var evaluator = new ManagedRolloutEvaluator(model1, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.1f, 1f), avoided));
        var planning = new PlanningOptions { Horizon = 4, Candidates = 2, Iterations = 5, Bounds = ActionBounds.Uniform(model1.ActionDim, -1, 1), Seed = 8 };
        var high = new HierarchyLevel(new GradientPlanner(evaluator, planning, 1), new DynamicsPredictor(model1),
            new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.1f, AvoidTicks = avoidTicks }, avoided);
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), high]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S]; // pinned: stuck at every check (every 4 ticks from tick 4)
        var u = new float[A];
        int most = 0;
        var first = Array.Empty<float>();
        for (int tick = 0; tick < 48; tick++)
        {
            controller.Act(x, u);
            if (tick == 4) first = avoided.PointOf(0, 0).ToArray();
            most = Math.Max(most, avoided.CountOf(0));
        }
        Assert.That(most, Is.EqualTo(expectedMost), "points held at most");
        if (avoidTicks > 0)
            Assert.That(avoided.PointOf(0, 0).ToArray(), Is.Not.EqualTo(first), "the first recorded subgoal has expired");
    }

    /// <summary>
    /// KeepBlockedAvoids: a pinned robot's balls are kept past AvoidTicks when level 0's own model also stalls there (a
    /// wall), and still expire when level 0 expects to move (a slow door).
    /// </summary>
    [TestCase(true, 8, TestName = "BallsTheLevelBelowConfirmsAreKept")]
    [TestCase(false, 2, TestName = "BallsTheLevelBelowDoesNotConfirmStillExpire")]
    public void KeepBlockedAvoidsKeepsOnlyConfirmedBalls(bool lowerModelStalls, int expectedMost)
    {
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f, capacity: 8);
        var options = new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.1f, AvoidTicks = 6, KeepBlockedAvoids = true };
        var low = lowerModelStalls ? new LinearDynamics(PointMass().A.ToArray(), new float[S * A], S, A) : PointMass();
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(low, 1, 8, 1), UpperLevel(1, options, avoided)]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S]; // pinned: stuck at every check
        var u = new float[A];
        int most = 0;
        for (int tick = 0; tick < 48; tick++)
        {
            controller.Act(x, u);
            most = Math.Max(most, avoided.CountOf(0));
        }
        Assert.That(most, Is.EqualTo(expectedMost), "points held at most");
    }

    /// <summary>
    /// Wander detection: a robot that keeps moving (so stuck detection never fires) but stays in a small pocket has its
    /// latent recorded as avoided at the check, and level 1 replans; a robot that makes headway is left alone.
    /// </summary>
    [TestCase(true, TestName = "ARobotCirclingInAPocketHasThePocketAvoided")]
    [TestCase(false, TestName = "ARobotMakingHeadwayIsNotWandering")]
    public void WanderDetectionRecordsThePocket(bool circling)
    {
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f);
        var options = new LevelOptions { TimeScale = 8, StuckTicks = 4, StuckDistance = 0.05f, WanderTicks = 12, WanderDistance = 0.5f };
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), UpperLevel(1, options, avoided)]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S];
        var u = new float[A];
        for (int tick = 0; tick < 12; tick++)
        {
            // Circling: a 0.2-wide loop, 0.1 per tick (never "stuck" at 0.05); headway: 0.1 per tick towards the goal.
            x[0] = circling ? 0.1f * (tick % 3) : 0.1f * tick;
            x[1] = circling && tick % 3 == 1 ? 0.1f : 0f;
            controller.Act(x, u);
            Assert.That(avoided.CountOf(0), Is.Zero, $"tick {tick}: nothing before the first wander check");
        }
        x[0] = circling ? 0f : 1.2f;
        x[1] = 0;
        var check = controller.Act(x, u);
        Assert.That(avoided.CountOf(0), Is.EqualTo(circling ? 1 : 0));
        if (!circling) return;
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(x), "the pocket is where the robot is");
        Assert.That(check.Replanned(1), Is.True, "and level 1 replans from scratch");
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevelOptions { WanderTicks = -1 }.Validate());
    }

    /// <summary>
    /// WanderGoalClearance: a robot circling 4 (latent) from its goal gets a wander ball only when the clearance is
    /// smaller than that distance (the default, the avoid radius 1, is).
    /// </summary>
    [TestCase(0f, 1)]
    [TestCase(3f, 1)]
    [TestCase(5f, 0)]
    public void NoWanderBallWithinTheGoalClearance(float clearance, int expectedBalls)
    {
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f);
        var options = new LevelOptions
        {
            TimeScale = 8, StuckTicks = 4, StuckDistance = 0.05f, WanderTicks = 12, WanderDistance = 0.5f, WanderGoalClearance = clearance,
        };
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), UpperLevel(1, options, avoided)]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S];
        var u = new float[A];
        for (int tick = 0; tick <= 12; tick++)
        {
            x[0] = tick == 12 ? 0f : 0.1f * (tick % 3);
            x[1] = tick % 3 == 1 && tick < 12 ? 0.1f : 0f;
            controller.Act(x, u);
        }
        Assert.That(avoided.CountOf(0), Is.EqualTo(expectedBalls));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevelOptions { WanderGoalClearance = -1 }.Validate());
    }

    /// <summary>
    /// A pinned robot that was handed the goal itself (delegated by ReachRadius, or within DirectGoalRadius, e.g. behind
    /// a wall) gets an upper plan once found stuck; the goal itself is never avoided.
    /// </summary>
    [TestCase(true, TestName = "ADelegatedRobotThatIsStuckGetsAnUpperPlan")]
    [TestCase(false, TestName = "ARobotStuckNearItsGoalIsNoLongerHandedTheGoalDirectly")]
    public void ARobotStuckWithTheGoalItselfGetsAnUpperPlan(bool delegated)
    {
        var avoided = new AvoidedPointsCost(1, S, radius: 1f, weight: 10f);
        var options = delegated
            ? new LevelOptions { TimeScale = 8, ReachRadius = 0.05f, StuckTicks = 4, StuckDistance = 0.01f }
            : new LevelOptions { TimeScale = 8, DirectGoalRadius = 1f, StuckTicks = 4, StuckDistance = 0.01f };
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), UpperLevel(1, options, avoided)]);
        var goal = new float[S];
        goal[0] = delegated ? 0.05f : 0.5f; // reachable for level 0's model / within the direct radius, yet never reached
        controller.SetGoalLatents(goal);
        var x = new float[S];
        var u = new float[A];
        for (int tick = 0; tick < 4; tick++)
            Assert.That(controller.Act(x, u).Replanned(1), Is.False, $"tick {tick}: the goal itself goes down, no upper plan");
        Assert.That(controller.Act(x, u).Replanned(1), Is.True, "found stuck at the check: the upper level plans for it");
        Assert.That(controller.GoalOf(0).ToArray(), Is.EqualTo(controller.PredictedLatents(1).Slice(0, S).ToArray()), "and hands down its subgoal, not the goal");
        Assert.That(avoided.CountOf(0), Is.EqualTo(0), "the goal itself is never avoided");
    }

    [Test]
    public void TicksAllocateNothingWithDelegationStuckAndWanderDetection()
    {
        const int batch = 2;
        var avoided = new AvoidedPointsCost(batch, S, radius: 1f, weight: 10f);
        using var controller = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, batch), UpperLevel(batch, new LevelOptions
            {
                TimeScale = 8, ReachRadius = 0.05f, StuckTicks = 4, StuckDistance = 0.1f, AvoidPlacement = AvoidPlacement.Blockage,
                WanderTicks = 6, WanderDistance = 0.5f, ReplanEvery = 3,
            }, avoided)]);
        var goal = new float[batch * S];
        goal[0] = 0.05f;
        goal[S] = 4f;
        var x = new float[batch * S]; // pinned robots: stuck checks fire and record points
        var u = new float[batch * A];
        controller.SetGoalLatents(goal);
        for (int tick = 0; tick < 12; tick++) controller.Act(x, u);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int replans = 0;
        for (int tick = 0; tick < 40; tick++) replans += controller.Act(x, u).Replanned(1) ? 1 : 0;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(replans, Is.GreaterThan(0));
        Assert.That(avoided.CountOf(1), Is.GreaterThan(0), "the stuck path ran");
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void TheLevelBelowPlansTowardsTheHandedDownSubgoal()
    {
        var model1 = Compose(PointMass(), 8);
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), Level(model1, 8, 6, 1)]);
        controller.SetGoalLatents(Goal(1, 4f, 0f));
        var x = new float[S];
        var u = new float[A];
        var status = controller.Act(x, u);
        Assert.That(status.Replanned(0) && status.Replanned(1), Is.True);

        // The subgoal is level 1's first predicted latent.
        var subgoal = controller.GoalOf(0).ToArray();
        Assert.That(subgoal, Is.EqualTo(controller.PredictedLatents(1).Slice(0, S).ToArray()));
        Assert.That(Distance(subgoal, x), Is.GreaterThan(0.05f), "the subgoal is somewhere to go");

        // Level 0's cost is minimised at the subgoal: its plan ends nearer the subgoal than any perturbation of it.
        var level0 = controller.LevelList[0];
        var evaluator = new ManagedRolloutEvaluator(PointMass(), LevelCost());
        evaluator.Bind(x, subgoal, 1);
        var best = level0.Planner.BestPlan.ToArray();
        var costs = new float[1];
        evaluator.Evaluate(best, 1, 8, costs, default);
        float bestCost = costs[0];
        var rng = new Numerics.DeterministicRandom(3);
        for (int trial = 0; trial < 20; trial++)
        {
            var perturbed = best.Select(v => Math.Clamp(v + 0.05f * rng.NextGaussian(), -1f, 1f)).ToArray();
            evaluator.Evaluate(perturbed, 1, 8, costs, default);
            Assert.That(costs[0], Is.GreaterThanOrEqualTo(bestCost * 0.999f));
        }
        var predicted0 = controller.PredictedLatents(0);
        Assert.That(Distance(predicted0.Slice(7 * S, S), subgoal), Is.LessThan(0.5f * Distance(x, subgoal)));
    }

    [Test]
    public void AnUpperLevelReplansEveryTauTicksOrWhenItsSubgoalIsReached()
    {
        int CountUpperReplans(float reachedRadius)
        {
            using var controller = new HierarchicalController(new IdentityEncoder(S),
                [Level(PointMass(), 1, 8, 1), Level(Compose(PointMass(), 8), 8, 4, 1, reached: reachedRadius)]);
            controller.SetGoalLatents(Goal(1, 3f, 3f));
            var system = PointMass();
            var x = new float[S]; var next = new float[S]; var u = new float[A];
            int replans = 0;
            for (int tick = 0; tick < 24; tick++)
            {
                if (controller.Act(x, u).Replanned(1)) replans++;
                system.Forward(x, u, next, default, 1);
                next.CopyTo(x, 0);
            }
            return replans;
        }
        Assert.That(CountUpperReplans(0f), Is.EqualTo(3), "on schedule: ticks 0, 8, 16");
        Assert.That(CountUpperReplans(1e6f), Is.EqualTo(24), "a subgoal that is always reached triggers a replan every tick");
    }

    [Test]
    public void AnUnreachableSubgoalTriggersAnEarlyReplan()
    {
        using var controller = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 2, 1), Level(Compose(PointMass(), 8), 8, 4, 1, unreachable: 0.01f)]);
        controller.SetGoalLatents(Goal(1, 3f, 3f));
        var x = new float[S]; var u = new float[A];
        controller.Act(x, u);
        // Two base steps cannot cover a subgoal eight steps away: level 1 is asked to replan on the next tick.
        Assert.That(Distance(controller.PredictedLatents(0).Slice(S, S), controller.GoalOf(0)), Is.GreaterThan(0.01f));
        Assert.That(controller.Act(x, u).Replanned(1), Is.True);

        using var patient = new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 2, 1), Level(Compose(PointMass(), 8), 8, 4, 1)]);
        patient.SetGoalLatents(Goal(1, 3f, 3f));
        patient.Act(x, u);
        Assert.That(patient.Act(x, u).Replanned(1), Is.False, "without the check it waits for its schedule");
    }

    [Test]
    public void LevelsMustGetCoarserUpwards()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HierarchicalController(new IdentityEncoder(S),
            [Level(PointMass(), 1, 8, 1), Level(Compose(PointMass(), 8), 8, 4, 1), Level(Compose(PointMass(), 4), 4, 4, 1)]));
        Assert.That(ex!.Message, Does.Contain("level 2 has time-scale 4"));
    }

    /// <summary>Forwards to a real planner and records every warm-start shift it is asked for.</summary>
    private sealed class ShiftRecordingPlanner(IPlanner inner) : DelegatingPlanner(inner)
    {
        public List<int> Shifts { get; } = [];

        public override void ShiftWarmStart(int steps)
        {
            Shifts.Add(steps);
            base.ShiftWarmStart(steps);
        }
    }

    /// <summary>
    /// A level replanning every 3 ticks at time-scale 8 has run 3/8 of its first step at each replan: the warm start
    /// moves by whole steps as they complete (after ticks 9, 18 and 24 of 24), not by a rounded 0 every time.
    /// </summary>
    [Test]
    public void AWarmStartMovesByTheStepsCompletedWhenALevelReplansMoreOftenThanItsTimeScale()
    {
        var upper = Level(Compose(PointMass(), 8), 8, 4, 1);
        var spy = new ShiftRecordingPlanner(upper.Planner);
        var level1 = new HierarchyLevel(spy, upper.Predictor, new LevelOptions { TimeScale = 8, ReplanEvery = 3 });
        using var controller = new HierarchicalController(new IdentityEncoder(S), [Level(PointMass(), 1, 8, 1), level1]);
        controller.SetGoalLatents(Goal(1, 3f, 3f));
        var x = new float[S]; var u = new float[A];
        for (int tick = 0; tick <= 24; tick++) controller.Act(x, u);
        // Replans at ticks 3, 6, ..., 24 (8 of them after the first plan), 3 ticks each: 24 ticks = 3 whole steps.
        Assert.That(spy.Shifts, Is.EqualTo(new[] { 0, 0, 1, 0, 0, 1, 0, 1 }));
    }
}
