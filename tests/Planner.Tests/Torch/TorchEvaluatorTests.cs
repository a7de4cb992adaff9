using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;
using Planner.Tests.Core;
using Planner.Tests.Support;
using Planner.Torch.Models;
using Planner.Torch.Rollout;

namespace Planner.Tests.Torch;

/// <summary>The Torch backend against the managed reference: same costs, same gradients, same optimum.</summary>
public class TorchEvaluatorTests
{
    /// <summary>Every built-in term: the smooth ones of the gradient checks plus L1 (kinked, so checked by parity only).</summary>
    private static CostFunction AllTerms(int s) =>
        new([.. GradientCheckTests.SmoothTerms(s).Terms, new GoalDistanceCost(DistanceKind.L1, 0.1f, 0.2f)]);

    [Test]
    public void CostsAndGradientsMatchTheManagedReference()
    {
        using var pair = new BoundPair(AllTerms(S)); // goal distance on a subspace has its own test below
        AssertSameCostsAndGradients(pair.Torch, pair.Managed, Fixtures.Gaussian(B * N * H * A, 3, 0.7f), N, H, "all terms");
    }

    private const int S = 4, A = 2, B = 2, N = 3, H = 5;

    /// <summary>A Torch and a managed evaluator of the same tanh MLP and cost, bound to the same B = 2 robots.</summary>
    private sealed class BoundPair : IDisposable
    {
        private readonly ResidualMlpDynamics _model;

        public BoundPair(CostFunction cost)
        {
            var weights = MlpWeights.Random([S + A, 16, 16, S], Activation.Tanh, 9, 0.5f);
            _model = new ResidualMlpDynamics(S, A, weights);
            Torch = new TorchRolloutEvaluator(_model, cost);
            Managed = new ManagedRolloutEvaluator(new ReferenceResidualMlp(S, A, weights), cost);
            X0 = Fixtures.Gaussian(B * S, 1);
            var goals = Fixtures.Gaussian(B * S, 2);
            Torch.Bind(X0, goals, B);
            Managed.Bind(X0, goals, B);
        }

        public TorchRolloutEvaluator Torch { get; }
        public ManagedRolloutEvaluator Managed { get; }
        public float[] X0 { get; }

        public void Dispose()
        {
            Torch.Dispose();
            Managed.Dispose();
            _model.Dispose();
        }
    }

    private static void AssertSameCostsAndGradients(IRolloutEvaluator torchEval, IRolloutEvaluator managed, float[] actions, int n, int h, string when)
    {
        int rows = actions.Length / (h * torchEval.ActionDim);
        var c1 = new float[rows]; var g1 = new float[actions.Length];
        var c2 = new float[rows]; var g2 = new float[actions.Length];
        torchEval.Evaluate(actions, n, h, c1, g1);
        managed.Evaluate(actions, n, h, c2, g2);
        for (int i = 0; i < c1.Length; i++) Assert.That(c1[i], Is.EqualTo(c2[i]).Within(1e-4 * Math.Abs(c2[i]) + 1e-5), when);
        float scale = Math.Max(g2.Max(MathF.Abs), 1e-6f);
        for (int i = 0; i < g1.Length; i++) Assert.That(g1[i], Is.EqualTo(g2[i]).Within(1e-4 * scale), when);
    }

    [Test]
    public void AvoidedPointsMatchTheManagedReferencePerRobotAndFollowChanges()
    {
        var avoided = new AvoidedPointsCost(B, S, radius: 3f, weight: 2f, capacity: 2);
        using var pair = new BoundPair(new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.1f, 1f), avoided));
        var actions = Fixtures.Gaussian(B * N * H * A, 3, 0.7f);
        void Compare(string when) => AssertSameCostsAndGradients(pair.Torch, pair.Managed, actions, N, H, when);
        Compare("empty memory");
        avoided.Add(0, pair.X0.AsSpan(0, S));
        Compare("one point for robot 0");
        avoided.Add(1, Fixtures.Gaussian(S, 8, 0.5f));
        avoided.Add(1, pair.X0.AsSpan(S, S));
        Compare("points for both robots (the device copy is refreshed)");
    }

    [Test]
    public void LandmarkDistanceMatchesTheManagedReference()
    {
        // A graph of random walks in the latent space (some landmarks left unjoined: the penalty path runs too).
        var walks = new float[30 * 21 * S];
        var random = new Random(4);
        for (int e = 0; e < 30; e++)
            for (int t = 0; t <= 20; t++)
                for (int i = 0; i < S; i++)
                {
                    int at = (e * 21 + t) * S + i;
                    walks[at] = t == 0 ? random.NextSingle() * 4 - 2 : walks[at - S] + (random.NextSingle() - 0.5f) * 0.6f;
                }
        var graph = Planner.Landmarks.LandmarkGraph.Build(walks, 30, 20, S, new Planner.Landmarks.LandmarkGraphOptions { Count = 40, Candidates = 630, MinTransitions = 2 });
        Assert.That(graph.LargestComponent(), Is.LessThan(graph.Count), "the fixture should leave some landmarks unjoined");
        foreach (float stepWeight in new[] { 0.3f, 0f }) // 0: the Torch form searches the last step only
        {
            using var pair = new BoundPair(new CostFunction(new LandmarkDistanceCost(graph, stepWeight, terminalWeight: 1f, disconnectedPenalty: 5f)));
            AssertSameCostsAndGradients(pair.Torch, pair.Managed, Fixtures.Gaussian(B * N * H * A, 3, 0.7f), N, H, $"landmark distance, step weight {stepWeight}");
        }
    }

    [Test]
    public void SubspaceGoalDistanceMatchesTheManagedReference()
    {
        var lq = Fixtures.Lq();
        var cost = new CostFunction(new GoalDistanceCost(DistanceKind.L2, 0.3f, 1f, [0, 2]), new ActionMagnitudeCost(0.1f));
        using var model = new LinearTorchDynamics(lq.Dynamics);
        using var torchEval = new TorchRolloutEvaluator(model, cost, goalDim: 2);
        using var managed = new ManagedRolloutEvaluator(lq.Dynamics, cost, goalDim: 2);
        var x0 = Fixtures.Gaussian(4, 1);
        var goal = Fixtures.Gaussian(2, 2);
        torchEval.Bind(x0, goal, 1);
        managed.Bind(x0, goal, 1);
        var actions = Fixtures.Gaussian(2 * 3 * 2, 3);
        var c1 = new float[2]; var g1 = new float[actions.Length];
        var c2 = new float[2]; var g2 = new float[actions.Length];
        torchEval.Evaluate(actions, 2, 3, c1, g1);
        managed.Evaluate(actions, 2, 3, c2, g2);
        Assert.That(c1, Is.EqualTo(c2).Within(1e-4f));
        Assert.That(g1, Is.EqualTo(g2).Within(1e-4f));
    }

    [Test]
    public void TorchGradientsMatchFiniteDifferences()
    {
        const int s = 4, a = 2, b = 2, n = 2, h = 4;
        using var model = new ResidualMlpDynamics(s, a, [16, 16], Activation.Tanh, 3, 0.5f);
        using var evaluator = new TorchRolloutEvaluator(model, GradientCheckTests.SmoothTerms(s));
        evaluator.Bind(Fixtures.Gaussian(b * s, 4), Fixtures.Gaussian(b * s, 5), b);
        var actions = Fixtures.Gaussian(b * n * h * a, 6, 0.5f);
        Assert.That(GradientCheckTests.MaxDirectionalError(evaluator, actions, b, n, h, 2e-2f), Is.LessThan(2e-3));
    }

    [Test]
    public void TorchGradientPlannerReachesTheLinearQuadraticOptimum()
    {
        var lq = Fixtures.Lq(s: 6, a: 2, seed: 7);
        using var model = new LinearTorchDynamics(lq.Dynamics);
        using var evaluator = new TorchRolloutEvaluator(model, CostFunction.Quadratic(lq.ActionWeight));
        const int b = 2, h = 10;
        var x0 = Fixtures.Gaussian(b * 6, 11);
        using var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = h, Candidates = 2, Iterations = 800, Seed = 1 },
            b, new GradientOptions { LearningRate = 0.05f, ConvergenceTolerance = 0 });
        planner.Plan(x0, new float[b * 6]);
        for (int i = 0; i < b; i++)
            Assert.That(planner.BestCost[i], Is.LessThanOrEqualTo(lq.OptimalCost(x0.AsSpan(i * 6, 6), h) * 1.005));
    }
}
