using CsCheck;
using Planner.Planning;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

public class PlannerBehaviourTests
{
    private static readonly PlannerKind[] Kinds = [PlannerKind.Gradient, PlannerKind.Cem, PlannerKind.Mppi, PlannerKind.Hybrid];

    [TestCaseSource(nameof(Kinds))]
    public void BatchedPlanningEqualsPlanningOneByOne(PlannerKind kind)
    {
        var lq = Fixtures.Lq(s: 4, a: 2, seed: 3);
        const int b = 3, h = 6;
        var x0 = Fixtures.Gaussian(b * 4, 8);
        var goals = Fixtures.Gaussian(b * 4, 9, 0.2f);
        var bounds = ActionBounds.Uniform(2, -0.5f, 0.5f);
        var options = new PlanningOptions { Horizon = h, Candidates = 16, Iterations = 15, Seed = 42, Bounds = bounds };

        using var batchEvaluator = Fixtures.ManagedLq(lq);
        using var batched = PlannerFactory.Create(kind, batchEvaluator, options, b);
        batched.Plan(x0, goals);

        for (int i = 0; i < b; i++)
        {
            using var evaluator = Fixtures.ManagedLq(lq);
            using var single = PlannerFactory.Create(kind, evaluator, options with { Seed = 42 + i }, 1);
            single.Plan(x0.AsSpan(i * 4, 4), goals.AsSpan(i * 4, 4));
            Assert.That(single.BestPlan.ToArray(), Is.EqualTo(batched.BestPlan.Slice(i * h * 2, h * 2).ToArray()).Within(1e-5f), $"problem {i}");
            Assert.That(single.BestCost[0], Is.EqualTo(batched.BestCost[i]).Within(1e-4f * Math.Abs(batched.BestCost[i])));
        }
    }

    [TestCaseSource(nameof(Kinds))]
    public void SameSeedGivesTheSamePlan(PlannerKind kind)
    {
        var lq = Fixtures.Lq();
        var x0 = Fixtures.Gaussian(2 * 4, 1);
        float[] PlanOnce()
        {
            using var evaluator = Fixtures.ManagedLq(lq, threads: 2);
            var options = new PlanningOptions { Horizon = 5, Candidates = 8, Iterations = 10, Seed = 7, Bounds = ActionBounds.Uniform(2, -1, 1) };
            using var planner = PlannerFactory.Create(kind, evaluator, options, 2);
            planner.Plan(x0, new float[8]);
            return planner.BestPlan.ToArray();
        }
        var first = PlanOnce();
        var second = PlanOnce();
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void BoundsAreNeverViolated()
    {
        var lq = Fixtures.Lq(s: 3, a: 2, seed: 4);
        Gen.Select(Gen.Int[0, 3], Gen.Float[-2f, 2f], Gen.Float[0f, 1.5f], Gen.Float[0f, 1.5f], Gen.Int[1, 6], Gen.Int[1, 9], Gen.Int[0, 1000])
            .Sample((kindIndex, center, below, above, h, n, seed) =>
            {
                var bounds = new ActionBounds([center - below, center - 0.5f * below], [center + above, center + 0.25f * above]);
                using var evaluator = Fixtures.ManagedLq(lq);
                var options = new PlanningOptions { Horizon = h, Candidates = n, Iterations = 4, Seed = seed, Bounds = bounds };
                using var planner = PlannerFactory.Create(Kinds[kindIndex], evaluator, options, 2);
                planner.Plan(Fixtures.Gaussian(6, seed, 3f), Fixtures.Gaussian(6, seed + 1));
                return bounds.Contains(planner.BestPlan);
            }, iter: 150);
    }

    [Test]
    public void WarmStartShiftsThePlanByTheExecutedSteps()
    {
        var lq = Fixtures.Lq();
        using var evaluator = Fixtures.ManagedLq(lq);
        using var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = 5, Candidates = 2, Iterations = 30 }, 1);
        Assert.That(planner.WarmStart.ToArray(), Is.All.EqualTo(0f), "before any plan the warm start is the safe action");
        planner.Plan(Fixtures.Gaussian(4, 2), new float[4]);
        var plan = planner.BestPlan.ToArray();
        Assert.That(planner.WarmStart.ToArray(), Is.EqualTo(plan));

        planner.ShiftWarmStart(2);
        var expected = new float[plan.Length];
        Array.Copy(plan, 4, expected, 0, plan.Length - 4);
        for (int i = plan.Length - 4; i < plan.Length; i += 2) Array.Copy(plan, plan.Length - 2, expected, i, 2);
        Assert.That(planner.WarmStart.ToArray(), Is.EqualTo(expected));

        planner.ResetWarmStart();
        Assert.That(planner.WarmStart.ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void DeadlineStopsEarlyAndStillReturnsABoundedPlan()
    {
        var lq = Fixtures.Lq();
        using var slow = new Fixtures.FaultyEvaluator(Fixtures.ManagedLq(lq)) { SleepMs = 5 };
        var bounds = ActionBounds.Uniform(2, -1, 1);
        var options = new PlanningOptions { Horizon = 4, Candidates = 4, Iterations = 10_000, Deadline = TimeSpan.FromMilliseconds(60), Bounds = bounds };
        using var planner = new GradientPlanner(slow, options, 1);
        var status = planner.Plan(Fixtures.Gaussian(4, 1), new float[4]);
        Assert.That(status.Reason, Is.EqualTo(PlanStopReason.Deadline));
        Assert.That(status.Iterations, Is.GreaterThan(0).And.LessThan(10_000));
        Assert.That(bounds.Contains(planner.BestPlan), Is.True);
        Assert.That(status.Degraded, Is.False);
    }

    [TestCaseSource(nameof(Kinds))]
    public void NonFiniteCostsNeverReachThePlan(PlannerKind kind)
    {
        var lq = Fixtures.Lq();
        using var faulty = new Fixtures.FaultyEvaluator(Fixtures.ManagedLq(lq));
        var bounds = ActionBounds.Uniform(2, -0.5f, 0.5f);
        var options = new PlanningOptions { Horizon = 4, Candidates = 4, Iterations = 5, Bounds = bounds };
        using var planner = PlannerFactory.Create(kind, faulty, options, 2);
        var x0 = Fixtures.Gaussian(8, 1);
        planner.Plan(x0, new float[8]);
        var previous = planner.BestPlan.ToArray();

        faulty.NaNCosts = true;
        planner.ShiftWarmStart(1);
        var status = planner.Plan(x0, new float[8]);
        Assert.That(status.Degraded, Is.True);
        Assert.That(status.DegradedProblems, Is.EqualTo(2));
        Assert.That(bounds.Contains(planner.BestPlan), Is.True);
        // The fallback is the previous plan shifted by one step.
        Assert.That(planner.BestPlan.Slice(0, 2 * 3).ToArray(), Is.EqualTo(previous.AsSpan(2, 6).ToArray()));
    }

    [Test]
    public void ExplodingOrNaNGradientsKeepTheGradientPlannerFinite()
    {
        var lq = Fixtures.Lq();
        using var faulty = new Fixtures.FaultyEvaluator(Fixtures.ManagedLq(lq)) { GradientScale = 1e30f };
        var bounds = ActionBounds.Uniform(2, -1, 1);
        using var planner = new GradientPlanner(faulty, new PlanningOptions { Horizon = 4, Candidates = 3, Iterations = 6, Bounds = bounds }, 1);
        planner.Plan(Fixtures.Gaussian(4, 2), new float[4]);
        Assert.That(bounds.Contains(planner.BestPlan), Is.True);
        faulty.GradientScale = 1;
        faulty.NaNGradients = true;
        planner.Plan(Fixtures.Gaussian(4, 2), new float[4]);
        Assert.That(bounds.Contains(planner.BestPlan), Is.True);
    }

    private sealed class PassThroughPlanner(IPlanner inner) : DelegatingPlanner(inner);

    [Test]
    public void ADelegatingPlannerPlansAsItsInnerPlannerAndDisposesIt()
    {
        var lq = Fixtures.Lq();
        var x0 = Fixtures.Gaussian(4, 1);
        var options = new PlanningOptions { Horizon = 5, Candidates = 8, Iterations = 10, Seed = 7, Bounds = ActionBounds.Uniform(2, -1, 1) };
        using var evaluator = Fixtures.ManagedLq(lq);
        using var direct = PlannerFactory.Create(PlannerKind.Gradient, evaluator, options, 1);
        direct.Plan(x0, new float[4]);

        using var evaluator2 = Fixtures.ManagedLq(lq);
        var inner = PlannerFactory.Create(PlannerKind.Gradient, evaluator2, options, 1);
        var wrapped = new PassThroughPlanner(inner);
        Assert.That((wrapped.Batch, wrapped.Horizon, wrapped.ActionDim, wrapped.StateDim, wrapped.GoalDim), Is.EqualTo((1, 5, 2, 4, 4)));
        wrapped.Plan(x0, new float[4]);
        Assert.That(wrapped.BestPlan.ToArray(), Is.EqualTo(direct.BestPlan.ToArray()));
        Assert.That(wrapped.BestCost[0], Is.EqualTo(direct.BestCost[0]));
        wrapped.Dispose();
        Assert.Throws<ObjectDisposedException>(() => inner.Plan(x0, new float[4]), "disposing the decorator disposes the inner planner");
        Assert.Throws<ArgumentNullException>(() => _ = new PassThroughPlanner(null!));
    }
}
