using Planner.Control;
using Planner.Planning;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

public class ControllerTests
{
    /// <summary>Closed loop on the real linear system: the controller drives every robot towards its goal.</summary>
    [TestCase(1)]
    [TestCase(3)]
    public void DrivesALinearSystemToTheGoal(int replanEvery)
    {
        var lq = Fixtures.Lq(s: 4, a: 2, seed: 5);
        using var evaluator = Fixtures.ManagedLq(lq);
        const int b = 3;
        var bounds = ActionBounds.Uniform(2, -1, 1);
        var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = 8, Candidates = 4, Iterations = 30, Bounds = bounds }, b);
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), planner, new ControllerOptions { ReplanEvery = replanEvery });
        controller.SetGoalLatents(new float[b * 4]);
        var x = Fixtures.Gaussian(b * 4, 3, 2f);
        double initialNorm = Norm(x);
        var u = new float[b * 2];
        var next = new float[b * 4];
        int replans = 0;
        for (int tick = 0; tick < 30; tick++)
        {
            var status = controller.Act(x, u);
            if (status.Replanned) replans++;
            Assert.That(bounds.Contains(u), Is.True);
            Assert.That(status.Degraded, Is.False);
            lq.Dynamics.Forward(x, u, next, default, b);
            next.CopyTo(x, 0);
        }
        Assert.That(replans, Is.EqualTo((30 + replanEvery - 1) / replanEvery));
        Assert.That(Norm(x), Is.LessThan(0.1 * initialNorm));
    }

    private static double Norm(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v));

    [Test]
    public void NaNObservationWithFallbackPolicyGivesAValidActionAndADegradedStatus()
    {
        var lq = Fixtures.Lq();
        using var evaluator = Fixtures.ManagedLq(lq);
        var bounds = ActionBounds.Uniform(2, -0.5f, 0.5f);
        var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = 6, Candidates = 2, Iterations = 5, Bounds = bounds }, 2);
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), planner, new ControllerOptions { InvalidObservation = InvalidObservationPolicy.Fallback });
        controller.SetGoalLatents(new float[8]);
        var u = new float[4];

        // First tick already invalid for robot 1: it gets the safe action.
        var obs = Fixtures.Gaussian(8, 1);
        obs[5] = float.NaN;
        var status = controller.Act(obs, u);
        Assert.That(status.Reason, Is.EqualTo(DegradedReason.InvalidObservation));
        Assert.That(status.DegradedRobots, Is.EqualTo(1));
        Assert.That(bounds.Contains(u), Is.True);

        // Later NaN: still a finite, in-bounds action.
        for (int i = 0; i < 3; i++) controller.Act(Fixtures.Gaussian(8, 10 + i), u);
        obs = Fixtures.Gaussian(8, 20);
        obs[0] = float.NegativeInfinity;
        status = controller.Act(obs, u);
        Assert.That(status.Degraded, Is.True);
        Assert.That(bounds.Contains(u), Is.True);
    }

    [Test]
    public void ActBeforeSettingAGoalIsAnError()
    {
        using var evaluator = Fixtures.ManagedLq(Fixtures.Lq());
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), new GradientPlanner(evaluator, new PlanningOptions(), 1));
        Assert.Throws<InvalidOperationException>(() => controller.Act(new float[4], new float[2]));
    }

    [Test]
    public void ResetForgetsTheWarmStart()
    {
        using var evaluator = Fixtures.ManagedLq(Fixtures.Lq());
        var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = 4, Candidates = 2, Iterations = 5 }, 1);
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), planner, new ControllerOptions { ReplanEvery = 4 });
        controller.SetGoalLatents(new float[4]);
        var u = new float[2];
        Assert.That(controller.Act(Fixtures.Gaussian(4, 1), u).Replanned, Is.True);
        Assert.That(controller.Act(Fixtures.Gaussian(4, 1), u).Replanned, Is.False);
        controller.Reset();
        Assert.That(planner.WarmStart.ToArray(), Is.All.EqualTo(0f));
        Assert.That(controller.Act(Fixtures.Gaussian(4, 1), u).Replanned, Is.True);
    }
}
