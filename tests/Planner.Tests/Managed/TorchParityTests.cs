using Planner.Managed;
using Planner.Models;
using Planner.Planning;
using Planner.Torch.Models;
using Planner.Torch.Rollout;
using static TorchSharp.torch;

namespace Planner.Tests.Managed;

/// <summary>The managed backend against the Torch backend on the same weights.</summary>
public class TorchParityTests
{
    [TestCase(Activation.Relu)]
    [TestCase(Activation.Tanh)]
    [TestCase(Activation.Silu)]
    public void ForwardAndInputGradientsAgree(Activation f)
    {
        const int s = 32, a = 4, rows = 13;
        var weights = MlpWeights.Random(ResidualMlp.Sizes(s, a, [256, 256]), f, seed: 2, outputScale: 0.1f);
        var managed = new ResidualMlp(s, a, weights);
        using var torchModel = new ResidualMlpDynamics(s, a, weights);
        float[] states = Reference.Random(rows * s, 5, 2f), actions = Reference.Random(rows * a, 6), g = Reference.Random(rows * s, 7);

        var next = new float[rows * s];
        var tape = new float[rows * managed.TapeFloatsPerRow];
        var gs = new float[rows * s];
        var ga = new float[rows * a];
        managed.Forward(states, actions, next, tape, rows);
        managed.Backward(tape, g, gs, ga, new float[rows * managed.ScratchFloatsPerRow], rows);

        using var scope = NewDisposeScope();
        var zs = tensor(states, [rows, s]).requires_grad_(true);
        var za = tensor(actions, [rows, a]).requires_grad_(true);
        var output = torchModel.Step(zs, za);
        var grads = autograd.grad([(output * tensor(g, [rows, s])).sum()], [zs, za]);
        static double[] Doubles(Tensor t) => t.detach().data<float>().ToArray().Select(x => (double)x).ToArray();
        Reference.AssertClose(next, Doubles(output), 1e-4, "forward");
        Reference.AssertClose(gs, Doubles(grads[0]), 1e-4, "dL/dz");
        Reference.AssertClose(ga, Doubles(grads[1]), 1e-4, "dL/da");
    }

    [Test]
    public void RolloutCostsAndGradientsAgree()
    {
        var problem = new SyntheticProblem(batch: 2, seed: 3);
        const int n = 5, h = 6;
        using var managed = problem.CreateEvaluator(threads: 2);
        using var torchModel = new ResidualMlpDynamics(problem.StateDim, problem.ActionDim, problem.Weights);
        using var torch = new TorchRolloutEvaluator(torchModel, problem.CreateCost());
        managed.Bind(problem.InitialStates, problem.Goals, problem.Batch);
        torch.Bind(problem.InitialStates, problem.Goals, problem.Batch);
        float[] actions = Reference.Random(problem.Batch * n * h * problem.ActionDim, 8);
        float[] c1 = new float[problem.Batch * n], c2 = new float[c1.Length], g1 = new float[actions.Length], g2 = new float[actions.Length];
        managed.Evaluate(actions, n, h, c1, g1);
        torch.Evaluate(actions, n, h, c2, g2);
        Reference.AssertClose(c1, c2.Select(x => (double)x).ToArray(), 1e-4, "costs");
        Reference.AssertClose(g1, g2.Select(x => (double)x).ToArray(), 1e-4, "dCost/dActions");
    }

    [TestCase(PlannerKind.Gradient)]
    [TestCase(PlannerKind.Cem)]
    [TestCase(PlannerKind.Mppi)]
    [TestCase(PlannerKind.Hybrid)]
    public void PlansReachTheSameCost(PlannerKind kind)
    {
        var problem = new SyntheticProblem(batch: 2, seed: 6, hidden: 64);
        var options = problem.CreateOptions(candidates: 16, horizon: 8, iterations: 15);
        using var managed = problem.CreateEvaluator(threads: 2);
        using var torchModel = new ResidualMlpDynamics(problem.StateDim, problem.ActionDim, problem.Weights);
        using var torch = new TorchRolloutEvaluator(torchModel, problem.CreateCost());
        using var p1 = PlannerFactory.Create(kind, managed, options, problem.Batch, SyntheticProblem.FixedBudgetGradient);
        using var p2 = PlannerFactory.Create(kind, torch, options, problem.Batch, SyntheticProblem.FixedBudgetGradient);
        p1.Plan(problem.InitialStates, problem.Goals);
        p2.Plan(problem.InitialStates, problem.Goals);
        for (int b = 0; b < problem.Batch; b++)
            Assert.That(p1.BestCost[b], Is.EqualTo(p2.BestCost[b]).Within(0.01 * Math.Abs(p2.BestCost[b])), $"problem {b}");
    }
}
