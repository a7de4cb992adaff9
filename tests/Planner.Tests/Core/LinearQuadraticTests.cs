using Planner.Planning;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

/// <summary>Known optima: the LQ problem's closed form checks the planners.</summary>
public class LinearQuadraticTests
{
    [Test]
    public void ClosedFormOptimumIsAStationaryPointOfTheCost()
    {
        var lq = Fixtures.Lq();
        var x0 = Fixtures.Gaussian(4, 3);
        const int h = 6;
        var u = new float[h * 2];
        double optimal = lq.OptimalCost(x0, h, u);
        Assert.That(lq.Cost(x0, u, h), Is.EqualTo(optimal).Within(1e-4 * optimal));
        // Any perturbation increases the cost (convex quadratic).
        var rng = Fixtures.Gaussian(u.Length * 10, 5, 0.01f);
        for (int k = 0; k < 10; k++)
        {
            var v = (float[])u.Clone();
            for (int i = 0; i < v.Length; i++) v[i] += rng[k * v.Length + i];
            Assert.That(lq.Cost(x0, v, h), Is.GreaterThan(optimal));
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    public void GradientPlannerReachesTheClosedFormOptimum(int threads)
    {
        var lq = Fixtures.Lq(s: 6, a: 2, seed: 7);
        using var evaluator = Fixtures.ManagedLq(lq, threads);
        const int b = 3, h = 12;
        var x0 = Fixtures.Gaussian(b * 6, 11);
        var options = new PlanningOptions { Horizon = h, Candidates = 4, Iterations = 1500, Seed = 1 };
        using var planner = new GradientPlanner(evaluator, options, b, new GradientOptions { LearningRate = 0.05f, ConvergenceTolerance = 0 });
        planner.Plan(x0, new float[b * 6]);
        for (int i = 0; i < b; i++)
        {
            double optimal = lq.OptimalCost(x0.AsSpan(i * 6, 6), h);
            Assert.That(planner.BestCost[i], Is.LessThanOrEqualTo(optimal * 1.005), $"problem {i}: optimum {optimal}");
            Assert.That(planner.BestCost[i], Is.GreaterThanOrEqualTo(optimal * 0.999), "cannot beat the optimum");
        }
    }

    [Test]
    public void WithActiveBoundsGradientBeatsCemAndMppiAtEqualBudget()
    {
        var lq = Fixtures.Lq(s: 6, a: 2, seed: 7);
        const int b = 4, h = 12;
        var x0 = Fixtures.Gaussian(b * 6, 13);
        var bounds = ActionBounds.Uniform(2, -0.1f, 0.1f);
        var optimum = new float[h * 2];
        lq.OptimalCost(x0.AsSpan(0, 6), h, optimum);
        Assert.That(optimum.Count(v => MathF.Abs(v) > 0.1f), Is.GreaterThan(optimum.Length / 5), "bounds must be active");

        double Run(PlannerKind kind, int n, int k)
        {
            using var evaluator = Fixtures.ManagedLq(lq);
            var options = new PlanningOptions { Horizon = h, Candidates = n, Iterations = k, Seed = 3, Bounds = bounds };
            using var planner = PlannerFactory.Create(kind, evaluator, options, b, gradient: new GradientOptions { ConvergenceTolerance = 0 });
            var status = planner.Plan(x0, new float[b * 6]);
            Assert.That(bounds.Contains(planner.BestPlan), Is.True);
            Assert.That(status.ModelEvaluations, Is.EqualTo((long)b * n * k * h * (kind == PlannerKind.Gradient ? 2 : 1)));
            return planner.BestCost.ToArray().Average();
        }

        double gd = Run(PlannerKind.Gradient, 8, 100);
        double cem = Run(PlannerKind.Cem, 64, 25);
        double mppi = Run(PlannerKind.Mppi, 64, 25);
        Assert.That(gd, Is.LessThan(cem));
        Assert.That(gd, Is.LessThan(mppi));
    }

    [TestCase(PlannerKind.Cem)]
    [TestCase(PlannerKind.Mppi)]
    [TestCase(PlannerKind.Hybrid)]
    public void SamplingPlannersGetCloseToTheOptimum(PlannerKind kind)
    {
        var lq = Fixtures.Lq(s: 4, a: 2, seed: 2);
        using var evaluator = Fixtures.ManagedLq(lq);
        const int h = 8;
        var x0 = Fixtures.Gaussian(4, 21);
        var options = new PlanningOptions { Horizon = h, Candidates = 256, Iterations = 40, Seed = 5 };
        using var planner = PlannerFactory.Create(kind, evaluator, options, 1);
        planner.Plan(x0, new float[4]);
        double optimal = lq.OptimalCost(x0, h);
        double zero = lq.Cost(x0, new float[h * 2], h);
        // Closes at least 95% of the gap between doing nothing and the optimum.
        Assert.That(planner.BestCost[0] - optimal, Is.LessThan(0.05 * (zero - optimal)));
    }
}
