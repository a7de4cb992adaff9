using Planner.Costs;
using Planner.Ensembles;
using Planner.Managed;
using Planner.Models;
using Planner.Tests.Core;
using Planner.Tests.Support;
using Planner.Torch.Models;
using Planner.Torch.Rollout;

namespace Planner.Tests.Ensembles;

public class EnsembleRolloutEvaluatorTests
{
    private const int S = 4, A = 2, B = 2, N = 3, H = 5;

    private static ResidualMlp Member(int seed) => new(S, A, MlpWeights.Random([S + A, 16, S], Activation.Tanh, seed, 0.5f));

    private static CostFunction Cost() => new(new GoalDistanceCost(DistanceKind.SquaredL2, 0.2f, 1f), new ActionMagnitudeCost(0.01f));

    private static ManagedRolloutEvaluator[] Members(params int[] seeds)
    {
        var members = new ManagedRolloutEvaluator[seeds.Length];
        for (int k = 0; k < seeds.Length; k++) members[k] = new ManagedRolloutEvaluator(Member(seeds[k]), Cost());
        return members;
    }

    private static void BindAll(IRolloutEvaluator evaluator) => evaluator.Bind(Fixtures.Gaussian(B * S, 1), Fixtures.Gaussian(B * S, 2), B);

    /// <summary>Binds both evaluators to the same problems and scores the same random actions with gradients.</summary>
    private static (float[] Actions, float[] C1, float[] G1, float[] C2, float[] G2) ScoreBoth(IRolloutEvaluator x, IRolloutEvaluator y, int seed)
    {
        BindAll(x);
        BindAll(y);
        var actions = Fixtures.Gaussian(B * N * H * A, seed, 0.5f);
        float[] c1 = new float[B * N], c2 = new float[B * N], g1 = new float[actions.Length], g2 = new float[actions.Length];
        x.Evaluate(actions, N, H, c1, g1);
        y.Evaluate(actions, N, H, c2, g2);
        return (actions, c1, g1, c2, g2);
    }

    [TestCase(0f)]
    [TestCase(0.7f)]
    public void CostIsTheMeanPlusWeightedStdOfTheMembersCosts(float lambda)
    {
        var singles = Members(3, 4, 5);
        using var ensemble = new EnsembleRolloutEvaluator(Members(3, 4, 5), lambda);
        BindAll(ensemble);
        var actions = Fixtures.Gaussian(B * N * H * A, 6, 0.5f);
        var costs = new float[B * N];
        ensemble.Evaluate(actions, N, H, costs, default);

        var memberCosts = new float[3][];
        for (int k = 0; k < 3; k++)
        {
            BindAll(singles[k]);
            memberCosts[k] = new float[B * N];
            singles[k].Evaluate(actions, N, H, memberCosts[k], default);
            singles[k].Dispose();
        }
        for (int r = 0; r < B * N; r++)
        {
            double mean = (memberCosts[0][r] + memberCosts[1][r] + memberCosts[2][r]) / 3.0;
            double variance = 0;
            for (int k = 0; k < 3; k++) variance += (memberCosts[k][r] - mean) * (memberCosts[k][r] - mean);
            double expected = mean + lambda * Math.Sqrt(variance / 3);
            Assert.That(costs[r], Is.EqualTo(expected).Within(1e-5 * Math.Abs(expected) + 1e-6), $"row {r}");
        }
        Assert.That(memberCosts[0], Is.Not.EqualTo(memberCosts[1]), "members are different models");
    }

    [TestCase(0f)]
    [TestCase(0.7f)]
    public void GradientsMatchFiniteDifferences(float lambda)
    {
        using var ensemble = new EnsembleRolloutEvaluator(Members(3, 4, 5), lambda);
        BindAll(ensemble);
        Assert.That(ensemble.SupportsGradients, Is.True);
        var actions = Fixtures.Gaussian(B * N * H * A, 7, 0.5f);
        Assert.That(GradientCheckTests.MaxDirectionalError(ensemble, actions, B, N, H, 1e-2f), Is.LessThan(2e-3));
    }

    [Test]
    public void OneMemberIsExactlyThatMemberAndEvaluationsAddUp()
    {
        using var single = Members(3)[0];
        using var ensemble = new EnsembleRolloutEvaluator(Members(3));
        var (actions, c1, g1, c2, g2) = ScoreBoth(single, ensemble, 8);
        Assert.That(c2, Is.EqualTo(c1));
        Assert.That(g2, Is.EqualTo(g1));

        using var three = new EnsembleRolloutEvaluator(Members(3, 4, 5));
        BindAll(three);
        three.Evaluate(actions, N, H, c2, g2);
        Assert.That(three.ModelEvaluations, Is.EqualTo(3 * single.ModelEvaluations), "an ensemble of K costs K model evaluations");
    }

    [Test]
    public void PessimismKeepsThePlanWhereTheMembersAgree()
    {
        // Two linear models over one action: both move the state by the action's first component, but only the first
        // believes the second component moves it too (a shortcut the other does not have). The goal is 2 units away.
        // Optimistic planning with member 0 alone uses the shortcut; the ensemble's plan relies on the shared channel.
        var a = new float[] { 1 };
        var believer = new LinearDynamics(a, [1f, 1f], 1, 2);
        var sceptic = new LinearDynamics(a, [1f, 0f], 1, 2);
        var cost = new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0f, 1f), new ActionMagnitudeCost(0.05f));
        using var ensemble = new EnsembleRolloutEvaluator([new ManagedRolloutEvaluator(believer, cost), new ManagedRolloutEvaluator(sceptic, cost)], 1f);
        ensemble.Bind([0f], [2f], 1);
        var actions = new float[2];
        var costs = new float[1];
        var g = new float[2];
        for (int i = 0; i < 3000; i++)
        {
            ensemble.Evaluate(actions, 1, 1, costs, g);
            for (int j = 0; j < 2; j++) actions[j] -= 0.05f * g[j];
        }
        TestContext.Out.WriteLine($"plan: shared {actions[0]:F3}, shortcut {actions[1]:F3}, cost {costs[0]:F4}");
        Assert.That(actions[0], Is.GreaterThan(1.5f), "the plan moves through the channel both models agree on");
        Assert.That(Math.Abs(actions[1]), Is.LessThan(0.1f), "and hardly uses the channel only one model believes in");
    }

    [Test]
    public void TorchAndManagedEnsemblesAgreeAndSteadyStateCallsAllocateNothing()
    {
        int[] seeds = [3, 4, 5];
        var torchModels = seeds.Select(k => new ResidualMlpDynamics(S, A, MlpWeights.Random([S + A, 16, S], Activation.Tanh, k, 0.5f))).ToArray();
        try
        {
            using var managed = new EnsembleRolloutEvaluator(Members(seeds), 0.7f);
            using var torch = new EnsembleRolloutEvaluator(torchModels.Select(m => (IRolloutEvaluator)new TorchRolloutEvaluator(m, Cost())).ToArray(), 0.7f);
            var (actions, c1, g1, c2, g2) = ScoreBoth(managed, torch, 11);
            for (int i = 0; i < c1.Length; i++) Assert.That(c2[i], Is.EqualTo(c1[i]).Within(1e-4f * (1 + Math.Abs(c1[i]))), $"cost {i}");
            for (int i = 0; i < g1.Length; i++) Assert.That(g2[i], Is.EqualTo(g1[i]).Within(1e-4f * (1 + Math.Abs(g1[i]))), $"gradient {i}");

            managed.Evaluate(actions, N, H, c1, g1); // warm: buffers exist
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) managed.Evaluate(actions, N, H, c1, g1);
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "the managed ensemble allocates nothing per call");
        }
        finally
        {
            foreach (var m in torchModels) m.Dispose();
        }
    }

    [Test]
    public void MismatchedOrEmptyMembersAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new EnsembleRolloutEvaluator([]));
        var other = new ManagedRolloutEvaluator(new ResidualMlp(S, A + 1, MlpWeights.Random([S + A + 1, 8, S], Activation.Tanh, 1)), Cost());
        var e = Assert.Throws<ArgumentException>(() => new EnsembleRolloutEvaluator([Members(3)[0], other]));
        Assert.That(e!.Message, Does.Contain("member 1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleRolloutEvaluator(Members(3), -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleRolloutEvaluator(Members(3), float.NaN));
    }

    [Test]
    public void PredictorIsTheMeanOfTheMembersRollouts()
    {
        var m0 = Member(3);
        var m1 = Member(4);
        var ensemble = new EnsemblePredictor([new DynamicsPredictor(m0), new DynamicsPredictor(m1)]);
        var z = Fixtures.Gaussian(B * S, 9);
        var actions = Fixtures.Gaussian(B * H * A, 10, 0.5f);
        float[] p0 = new float[B * H * S], p1 = new float[B * H * S], mean = new float[B * H * S];
        new DynamicsPredictor(m0).Predict(z, actions, B, H, p0);
        new DynamicsPredictor(m1).Predict(z, actions, B, H, p1);
        ensemble.Predict(z, actions, B, H, mean);
        for (int i = 0; i < mean.Length; i++) Assert.That(mean[i], Is.EqualTo((p0[i] + p1[i]) / 2).Within(1e-5f));
        Assert.That(p0, Is.Not.EqualTo(p1));
    }
}
