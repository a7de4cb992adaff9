using Planner.Control;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;

namespace Planner.Tests.Robustness;

/// <summary>
/// Controllers used from many threads at once (one per robot, all sharing one read-only world model) give exactly the
/// results of sequential use. Thread-safety contract: world models (ResidualMlp, LinearDynamics, MlpEncoder) are
/// read-only and shared freely; evaluators, planners and controllers are per thread.
/// </summary>
public class ConcurrencyTests
{
    private const int S = 8, A = 2;

    private static float[] RunRobot(ResidualMlp sharedModel, int robot, int ticks)
    {
        using var evaluator = new ManagedRolloutEvaluator(sharedModel, Costs.CostFunction.Quadratic());
        var options = new PlanningOptions { Horizon = 6, Candidates = 8, Iterations = 4, Seed = robot, Bounds = ActionBounds.Uniform(A, -1, 1) };
        using var controller = new RecedingHorizonController(new IdentityEncoder(S), new GradientPlanner(evaluator, options, 1));
        controller.SetGoalLatents(new float[S]);
        var x = Support.Fixtures.Gaussian(S, 100 + robot);
        var next = new float[S];
        var u = new float[A];
        var trace = new List<float>();
        for (int t = 0; t < ticks; t++)
        {
            controller.Act(x, u);
            sharedModel.Forward(x, u, next, default, 1);
            next.CopyTo(x, 0);
            trace.AddRange(u);
        }
        return trace.ToArray();
    }

    [Test]
    public void ManyControllersOnOneSharedModelMatchSequentialRuns()
    {
        var model = new ResidualMlp(S, A, MlpWeights.Random([S + A, 32, 32, S], Activation.Relu, 1, 0.1f));
        const int robots = 8, ticks = 15;
        var sequential = Enumerable.Range(0, robots).Select(r => RunRobot(model, r, ticks)).ToArray();
        var parallel = new float[robots][];
        var threads = Enumerable.Range(0, robots).Select(r => new Thread(() => parallel[r] = RunRobot(model, r, ticks))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        for (int r = 0; r < robots; r++) Assert.That(parallel[r], Is.EqualTo(sequential[r]), $"robot {r}");
    }
}
