using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

/// <summary>
/// Finite-difference checks of dCost/dActions. Evaluators compute in float32, so the check is on directional
/// derivatives with central differences; documented tolerance: relative error below 2e-3 (float32), and below 1e-5
/// for the linear-quadratic problem, where central differences are exact up to rounding.
/// </summary>
public class GradientCheckTests
{
    internal static double MaxDirectionalError(IRolloutEvaluator evaluator, float[] actions, int b, int n, int h, float eps, int directions = 6)
    {
        var costs = new float[b * n];
        var grads = new float[actions.Length];
        evaluator.Evaluate(actions, n, h, costs, grads);
        double worst = 0;
        for (int k = 0; k < directions; k++)
        {
            var dir = Fixtures.Gaussian(actions.Length, 100 + k);
            var plus = new float[actions.Length];
            var minus = new float[actions.Length];
            for (int i = 0; i < actions.Length; i++) { plus[i] = actions[i] + eps * dir[i]; minus[i] = actions[i] - eps * dir[i]; }
            var cp = new float[b * n];
            var cm = new float[b * n];
            evaluator.Evaluate(plus, n, h, cp, default);
            evaluator.Evaluate(minus, n, h, cm, default);
            for (int row = 0; row < b * n; row++)
            {
                double fd = ((double)cp[row] - cm[row]) / (2 * eps);
                double analytic = 0;
                int len = h * evaluator.ActionDim;
                for (int i = 0; i < len; i++) analytic += grads[row * len + i] * (double)dir[row * len + i];
                double error = Math.Abs(fd - analytic) / Math.Max(Math.Max(Math.Abs(fd), Math.Abs(analytic)), 1e-3);
                worst = Math.Max(worst, error);
            }
        }
        return worst;
    }

    [Test]
    public void ManagedLinearQuadraticGradientsMatchFiniteDifferences()
    {
        var lq = Fixtures.Lq(s: 4, a: 2);
        using var evaluator = Fixtures.ManagedLq(lq);
        const int b = 2, n = 3, h = 5;
        evaluator.Bind(Fixtures.Gaussian(b * 4, 1), Fixtures.Gaussian(b * 4, 2, 0.1f), b);
        var actions = Fixtures.Gaussian(b * n * h * 2, 3, 0.5f);
        Assert.That(MaxDirectionalError(evaluator, actions, b, n, h, 1e-2f), Is.LessThan(1e-3));
    }

    // L1 is left out: its kink at zero makes central differences meaningless there (it is covered by the parity tests).
    internal static CostFunction SmoothTerms(int s) => new(
        new GoalDistanceCost(DistanceKind.SquaredL2, 0.5f, 2f),
        new GoalDistanceCost(DistanceKind.L2, 0.3f, 1f),
        new GoalDistanceCost(DistanceKind.Cosine, 0.2f, 0.5f),
        new ActionMagnitudeCost(0.01f),
        new ActionSmoothnessCost(0.05f),
        new KeepOutCost([0.2f, -0.1f], 3f, 2f, [0, 1]),
        new TerminalValueCost(new QuadraticTerminalValue(new float[s], Enumerable.Repeat(0.5f, s).ToArray()), 1f));

    [Test]
    public void EveryCostTermHasCorrectGradientsThroughATanhMlp()
    {
        const int s = 4, a = 2, b = 2, n = 2, h = 4;
        var weights = MlpWeights.Random([s + a, 16, 16, s], Activation.Tanh, 3, 0.5f);
        var dynamics = new ReferenceResidualMlp(s, a, weights);
        using var evaluator = new ManagedRolloutEvaluator(dynamics, SmoothTerms(s));
        evaluator.Bind(Fixtures.Gaussian(b * s, 4), Fixtures.Gaussian(b * s, 5), b);
        var actions = Fixtures.Gaussian(b * n * h * a, 6, 0.5f);
        Assert.That(MaxDirectionalError(evaluator, actions, b, n, h, 2e-2f), Is.LessThan(2e-3));
    }
}
