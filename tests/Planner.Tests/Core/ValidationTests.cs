using Planner.Control;
using Planner.Costs;
using Planner.Managed;
using Planner.Planning;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

/// <summary>Bad input raises an exception that names the argument and says what was expected.</summary>
public class ValidationTests
{
    private static ManagedRolloutEvaluator Evaluator() => Fixtures.ManagedLq(Fixtures.Lq());

    [Test]
    public void CandidatesBelowOneAreRejected()
    {
        using var e = Evaluator();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GradientPlanner(e, new PlanningOptions { Candidates = 0 }, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("Candidates"));
        Assert.That(ex.Message, Does.Contain(">= 1").And.Contain("got 0"));
    }

    [Test]
    public void HorizonBelowOneIsRejected()
    {
        using var e = Evaluator();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new CemPlanner(e, new PlanningOptions { Horizon = 0 }, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("Horizon"));
    }

    [Test]
    public void BoundsWithLowAboveHighAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ActionBounds([0f, 1f], [1f, 0.5f]));
        Assert.That(ex!.ParamName, Is.EqualTo("low"));
        Assert.That(ex.Message, Does.Contain("low[1] = 1").And.Contain("high[1] = 0.5"));
    }

    [TestCase(0.0)]
    [TestCase(-5.0)]
    public void NonPositiveDeadlineIsRejected(double ms)
    {
        using var e = Evaluator();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MppiPlanner(e, new PlanningOptions { Deadline = TimeSpan.FromMilliseconds(ms) }, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("Deadline"));
    }

    [Test]
    public void BoundsOfTheWrongDimensionAreRejected()
    {
        using var e = Evaluator();
        var ex = Assert.Throws<ArgumentException>(() => new GradientPlanner(e, new PlanningOptions { Bounds = ActionBounds.Uniform(3, -1, 1) }, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("Bounds"));
        Assert.That(ex.Message, Does.Contain("expected 2"));
    }

    [Test]
    public void MismatchedLatentLengthIsRejected()
    {
        using var e = Evaluator();
        using var planner = new GradientPlanner(e, new PlanningOptions(), 2);
        var ex = Assert.Throws<ArgumentException>(() => planner.Plan(new float[7], new float[8]));
        Assert.That(ex!.ParamName, Is.EqualTo("initialLatents"));
        Assert.That(ex.Message, Does.Contain("expected 8"));
    }

    [Test]
    public void NonFiniteLatentsAreRejected()
    {
        using var e = Evaluator();
        using var planner = new GradientPlanner(e, new PlanningOptions(), 1);
        var x = new float[4];
        x[2] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => planner.Plan(x, new float[4]));
        Assert.That(ex!.ParamName, Is.EqualTo("initialLatents"));
        Assert.That(ex.Message, Does.Contain("initialLatents[2] is NaN"));
    }

    [Test]
    public void NonFiniteObservationsAreRejectedByDefault()
    {
        using var e = Evaluator();
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), new GradientPlanner(e, new PlanningOptions(), 1));
        controller.SetGoalLatents(new float[4]);
        var obs = new float[4];
        obs[1] = float.PositiveInfinity;
        var ex = Assert.Throws<ArgumentException>(() => controller.Act(obs, new float[2]));
        Assert.That(ex!.ParamName, Is.EqualTo("observations"));
        Assert.That(ex.Message, Does.Contain("observations[1]"));
    }

    [Test]
    public void MismatchedActionBufferIsRejected()
    {
        using var e = Evaluator();
        using var controller = new RecedingHorizonController(new IdentityEncoder(4), new GradientPlanner(e, new PlanningOptions(), 1));
        controller.SetGoalLatents(new float[4]);
        var ex = Assert.Throws<ArgumentException>(() => controller.Act(new float[4], new float[3]));
        Assert.That(ex!.ParamName, Is.EqualTo("actions"));
    }

    [Test]
    public void EncoderOfTheWrongSizeIsRejected()
    {
        using var e = Evaluator();
        var ex = Assert.Throws<ArgumentException>(() => new RecedingHorizonController(new IdentityEncoder(5), new GradientPlanner(e, new PlanningOptions(), 1)));
        Assert.That(ex!.ParamName, Is.EqualTo("encoder"));
    }

    [Test]
    public void GoalDistanceOnTheWrongGoalSizeIsRejected()
    {
        var lq = Fixtures.Lq();
        var ex = Assert.Throws<ArgumentException>(() => new ManagedRolloutEvaluator(lq.Dynamics, new CostFunction(new GoalDistanceCost()), goalDim: 3));
        Assert.That(ex!.ParamName, Is.EqualTo("goals"));
    }

    [Test]
    public void PlannerNamesAreParsedOrRejected()
    {
        Assert.That(PlannerFactory.Parse("GD"), Is.EqualTo(PlannerKind.Gradient));
        var ex = Assert.Throws<ArgumentException>(() => PlannerFactory.Parse("sgd"));
        Assert.That(ex!.Message, Does.Contain("gd, cem, mppi, hybrid"));
    }
}
