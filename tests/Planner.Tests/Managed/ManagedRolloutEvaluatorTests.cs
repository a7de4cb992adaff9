using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;

namespace Planner.Tests.Managed;

public class ManagedRolloutEvaluatorTests
{
    private const int S = 6, A = 2, H = 4;

    private static ResidualMlp SmoothModel() =>
        new(S, A, MlpWeights.Random(ResidualMlp.Sizes(S, A, [24, 16]), Activation.Tanh, seed: 9, outputScale: 0.5f));

    private static CostFunction Cost() => new(new GoalDistanceCost(DistanceKind.SquaredL2, 0.5f, 2f), new ActionMagnitudeCost(0.1f), new ActionSmoothnessCost(0.05f));

    private static ManagedRolloutEvaluator Bound(int batch, int threads, int chunk)
    {
        var ev = new ManagedRolloutEvaluator(SmoothModel(), Cost(), threads: threads, chunkRows: chunk);
        ev.Bind(Reference.Random(batch * S, 21), Reference.Random(batch * S, 22, 0.3f), batch);
        return ev;
    }

    [Test]
    public void GradientsMatchFiniteDifferences()
    {
        const int batch = 2, n = 3;
        using var ev = Bound(batch, threads: 2, chunk: 2);
        float[] actions = Reference.Random(batch * n * H * A, 23, 0.8f);
        var costs = new float[batch * n];
        var grads = new float[actions.Length];
        ev.Evaluate(actions, n, H, costs, grads);
        var plus = new float[batch * n];
        var minus = new float[batch * n];
        const float eps = 1e-2f;
        for (int i = 0; i < actions.Length; i++)
        {
            float saved = actions[i];
            actions[i] = saved + eps;
            ev.Evaluate(actions, n, H, plus, default);
            actions[i] = saved - eps;
            ev.Evaluate(actions, n, H, minus, default);
            actions[i] = saved;
            int row = i / (H * A);
            double fd = ((double)plus[row] - minus[row]) / (2 * eps);
            Assert.That(grads[i], Is.EqualTo(fd).Within(2e-3 + 2e-3 * Math.Abs(fd)), $"dCost/da[{i}]");
            for (int other = 0; other < costs.Length; other++)
                if (other != row) Assert.That(plus[other], Is.EqualTo(costs[other]), "an action moves only its own candidate's cost");
        }
    }

    [Test]
    public void ResultsDoNotDependOnThreadsOrBlockSize()
    {
        const int batch = 3, n = 7;
        float[] actions = Reference.Random(batch * n * H * A, 31);
        float[]? costs0 = null, grads0 = null;
        foreach (var (threads, chunk) in new[] { (1, 32), (2, 32), (2, 1), (3, 4), (1, 5) })
        {
            using var ev = Bound(batch, threads, chunk);
            var costs = new float[batch * n];
            var grads = new float[actions.Length];
            ev.Evaluate(actions, n, H, costs, grads);
            var costsOnly = new float[batch * n];
            ev.Evaluate(actions, n, H, costsOnly, default);
            Assert.That(costsOnly, Is.EqualTo(costs), "costs without gradients are the same");
            Assert.That(ev.ModelEvaluations, Is.EqualTo(batch * n * H * 3L));
            costs0 ??= costs;
            grads0 ??= grads;
            Assert.That(costs, Is.EqualTo(costs0), $"costs with threads={threads}, chunk={chunk}");
            Assert.That(grads, Is.EqualTo(grads0), $"gradients with threads={threads}, chunk={chunk}");
        }
    }

    [TestCase(Activation.Relu)]
    [TestCase(Activation.Tanh)]
    public void ASingleRowSplitOverTwoThreadsGivesTheOneThreadResult(Activation f)
    {
        var weights = MlpWeights.Random(ResidualMlp.Sizes(S, A, [40, 72]), f, seed: 13, outputScale: 0.5f);
        float[] actions = Reference.Random(H * A, 51);
        float[] initial = Reference.Random(S, 52), goal = Reference.Random(S, 53, 0.3f);
        float[] Run(int threads, bool gradients, out float cost)
        {
            using var ev = new ManagedRolloutEvaluator(new ResidualMlp(S, A, weights), Cost(), threads: threads, splitSingleRow: true);
            ev.Bind(initial, goal, 1);
            var costs = new float[1];
            var grads = gradients ? new float[actions.Length] : [];
            for (int i = 0; i < 3; i++) ev.Evaluate(actions, 1, H, costs, grads); // repeated calls reuse the buffers
            Assert.That(ev.ModelEvaluations, Is.EqualTo(3L * H * (gradients ? 2 : 1)));
            cost = costs[0];
            return grads;
        }
        float[] g1 = Run(1, true, out float c1), g2 = Run(2, true, out float c2);
        Run(2, false, out float c3); // costs only: the one-thread path
        Assert.That(c2, Is.EqualTo(c1));
        Assert.That(c3, Is.EqualTo(c1));
        Assert.That(g2, Is.EqualTo(g1));
        Assert.That(g1.Any(g => g != 0), Is.True);
    }

    [TestCase(Activation.Relu)]
    [TestCase(Activation.Tanh)]
    public void ASingleRowGivesWhatTheSameRowGivesInABlockOfRows(Activation f)
    {
        // One row with gradients takes the lean single-row loop; inside a block of rows it takes the block path.
        const int n = 5;
        var weights = MlpWeights.Random(ResidualMlp.Sizes(S, A, [40, 72]), f, seed: 17, outputScale: 0.5f);
        float[] actions = Reference.Random(n * H * A, 61);
        float[] initial = Reference.Random(S, 62), goal = Reference.Random(S, 63, 0.3f);
        using var ev = new ManagedRolloutEvaluator(new ResidualMlp(S, A, weights), Cost(), threads: 1);
        ev.Bind(initial, goal, 1);
        var costs = new float[n];
        var grads = new float[actions.Length];
        ev.Evaluate(actions, n, H, costs, grads);
        for (int r = 0; r < n; r++)
        {
            var one = new float[1];
            var oneGrads = new float[H * A];
            ev.Evaluate(actions.AsSpan(r * H * A, H * A), 1, H, one, oneGrads);
            Assert.That(one[0], Is.EqualTo(costs[r]), $"cost of row {r}");
            Assert.That(oneGrads, Is.EqualTo(grads.AsSpan(r * H * A, H * A).ToArray()), $"gradient of row {r}");
        }
        Assert.That(grads.Any(g => g != 0), Is.True);
    }

    private sealed class ThrowingCost : CostTerm
    {
        public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
            ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions) => throw new InvalidOperationException("cost failed");
    }

    [Test]
    public void AThrowingCostTermIsRethrownAndNothingHangs()
    {
        foreach (int n in new[] { 1, 9 })
        {
            using var ev = new ManagedRolloutEvaluator(SmoothModel(), new CostFunction(new ThrowingCost()), threads: 2, splitSingleRow: true);
            ev.Bind(new float[S], new float[S], 1);
            Assert.Throws<InvalidOperationException>(() => ev.Evaluate(new float[n * H * A], n, H, new float[n], new float[n * H * A]));
            Assert.Throws<InvalidOperationException>(() => ev.Evaluate(new float[n * H * A], n, H, new float[n], default));
        }
    }

    [Test]
    public void CostsMatchAStepByStepReferenceRollout()
    {
        const int batch = 2, n = 2;
        var model = SmoothModel();
        var cost = Cost();
        using var ev = Bound(batch, 1, 32);
        float[] initial = Reference.Random(batch * S, 21), goals = Reference.Random(batch * S, 22, 0.3f);
        float[] actions = Reference.Random(batch * n * H * A, 41);
        var costs = new float[batch * n];
        ev.Evaluate(actions, n, H, costs, default);
        for (int row = 0; row < batch * n; row++)
        {
            int b = row / n;
            var z = initial.AsSpan(b * S, S).ToArray();
            var traj = new float[H * S];
            for (int t = 0; t < H; t++)
            {
                var next = new float[S];
                model.Forward(z, actions.AsSpan((row * H + t) * A, A), next, default, 1);
                next.CopyTo(traj, t * S);
                z = next;
            }
            float expected = cost.Accumulate(new CostShape(H, S, A, S), traj, actions.AsSpan(row * H * A, H * A), goals.AsSpan(b * S, S), default, default);
            Assert.That(costs[row], Is.EqualTo(expected).Within(1e-5 * Math.Abs(expected)));
        }
    }

    [Test]
    public void BadCallsThrowClearly()
    {
        using var ev = new ManagedRolloutEvaluator(SmoothModel(), Cost());
        Assert.Throws<InvalidOperationException>(() => ev.Evaluate(new float[H * A], 1, H, new float[1], default));
        ev.Bind(new float[S], new float[S], 1);
        var ex = Assert.Throws<ArgumentException>(() => ev.Evaluate(new float[H * A + 1], 1, H, new float[1], default));
        Assert.That(ex!.ParamName, Is.EqualTo("actions"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ManagedRolloutEvaluator(SmoothModel(), Cost(), threads: 0));
    }
}

public class ManagedPlanningTests
{
    private static readonly PlannerKind[] Kinds = [PlannerKind.Gradient, PlannerKind.Cem, PlannerKind.Mppi, PlannerKind.Hybrid];

    private static SyntheticProblem SmallProblem(int batch) => new(batch, seed: 4, stateDim: 6, actionDim: 2, hidden: 24);

    [TestCaseSource(nameof(Kinds))]
    public void SteadyStatePlanningAllocatesNothingOnOneThread(PlannerKind kind)
    {
        var problem = SmallProblem(2);
        using var ev = problem.CreateEvaluator(threads: 1);
        using var planner = PlannerFactory.Create(kind, ev, problem.CreateOptions(candidates: 8, horizon: 5, iterations: 4), problem.Batch);
        for (int i = 0; i < 3; i++) planner.Plan(problem.InitialStates, problem.Goals);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            planner.Plan(problem.InitialStates, problem.Goals);
            planner.ShiftWarmStart(1);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [TestCaseSource(nameof(Kinds))]
    public void SteadyStatePlanningAllocatesNothingOnTwoThreads(PlannerKind kind)
    {
        var problem = SmallProblem(2);
        using var ev = problem.CreateEvaluator(threads: 2);
        using var planner = PlannerFactory.Create(kind, ev, problem.CreateOptions(candidates: 8, horizon: 5, iterations: 4), problem.Batch);
        for (int i = 0; i < 3; i++) planner.Plan(problem.InitialStates, problem.Goals);
        // Every thread that runs the plan (the caller and the pool's workers) reads its own allocation counter.
        long before = ev.AllocatedBytesOnThreads();
        for (int i = 0; i < 10; i++) planner.Plan(problem.InitialStates, problem.Goals);
        long best = ev.AllocatedBytesOnThreads() - before;
        Assert.That(best, Is.Zero);
    }

    [Test]
    public void ASingleRobotWithOneCandidateOnTwoThreadsAllocatesNothing()
    {
        var problem = SmallProblem(1);
        using var ev = problem.CreateEvaluator(threads: 2, splitSingleRow: true);
        using var planner = PlannerFactory.Create(PlannerKind.Gradient, ev, problem.CreateOptions(candidates: 1, horizon: 5, iterations: 6), 1);
        for (int i = 0; i < 3; i++) planner.Plan(problem.InitialStates, problem.Goals);
        long before = ev.AllocatedBytesOnThreads();
        for (int i = 0; i < 10; i++) planner.Plan(problem.InitialStates, problem.Goals);
        Assert.That(ev.AllocatedBytesOnThreads() - before, Is.Zero);
    }

    [TestCaseSource(nameof(Kinds))]
    public void PlansAreDeterministicAndReduceTheCost(PlannerKind kind)
    {
        var problem = SmallProblem(3);
        float[] Plan(int threads, out float[] costs)
        {
            using var ev = problem.CreateEvaluator(threads);
            using var planner = PlannerFactory.Create(kind, ev, problem.CreateOptions(candidates: 16, horizon: 6, iterations: 8), problem.Batch);
            planner.Plan(problem.InitialStates, problem.Goals);
            costs = planner.BestCost.ToArray();
            return planner.BestPlan.ToArray();
        }
        float[] a = Plan(1, out float[] costA), b = Plan(1, out _), c = Plan(2, out _);
        Assert.That(b, Is.EqualTo(a), "same seed, same threads");
        Assert.That(c, Is.EqualTo(a), "results do not depend on the thread count");
        Assert.That(problem.Bounds.Contains(a), Is.True);

        // The plan beats doing nothing.
        using var check = problem.CreateEvaluator();
        check.Bind(problem.InitialStates, problem.Goals, problem.Batch);
        var zeroCosts = new float[problem.Batch];
        check.Evaluate(new float[problem.Batch * 6 * 2], 1, 6, zeroCosts, default);
        for (int i = 0; i < problem.Batch; i++) Assert.That(costA[i], Is.LessThan(zeroCosts[i]), $"problem {i}");
    }

    [Test]
    public void SyntheticProblemIsReproducibleFromItsSeed()
    {
        var p = new SyntheticProblem(batch: 3, seed: 12);
        var q = new SyntheticProblem(batch: 3, seed: 12);
        Assert.That(p.InitialStates, Is.EqualTo(q.InitialStates));
        Assert.That(p.Weights.Layers[1].Weight, Is.EqualTo(q.Weights.Layers[1].Weight));
        Assert.That(p.ResidualSizes, Is.EqualTo(new[] { 36, 256, 256, 32 }));
        Assert.That(p.Goals.All(g => g == 0f), Is.True);
        double mean = p.InitialStates.Average(), variance = p.InitialStates.Select(x => (x - mean) * (x - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.3));
        Assert.That(variance, Is.EqualTo(1).Within(0.4));
        Assert.That(p.FlopsPerModelStep, Is.EqualTo(p.CreateDynamics().ForwardFlopsPerRow));
        Assert.That(new SyntheticProblem(3, seed: 13).InitialStates, Is.Not.EqualTo(p.InitialStates));
    }

    [Test]
    public void PeakFlopsMeasuresAPositiveRate()
    {
        double gflops = PeakFlops.Measure(1, TimeSpan.FromMilliseconds(60));
        Assert.That(double.IsFinite(gflops) && gflops > 0.1, Is.True, $"measured {gflops} GFLOP/s");
    }
}
