using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Numerics;
using Planner.Problems;

namespace Planner.Tests.Support;

/// <summary>Small problems shared by the tests.</summary>
internal static class Fixtures
{
    public static LinearQuadraticProblem Lq(int s = 4, int a = 2, int seed = 1, float r = 1e-2f) => LinearQuadraticProblem.Random(s, a, seed, r);

    public static ManagedRolloutEvaluator ManagedLq(LinearQuadraticProblem lq, int threads = 1) =>
        new(lq.Dynamics, CostFunction.Quadratic(lq.ActionWeight), threads: threads);

    public static float[] Gaussian(int n, int seed, float scale = 1f)
    {
        var rng = new DeterministicRandom((ulong)seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = scale * rng.NextGaussian();
        return x;
    }

    /// <summary>Wraps an evaluator and corrupts its outputs on demand (NaN costs, exploding gradients) or slows it down.</summary>
    public sealed class FaultyEvaluator(IRolloutEvaluator inner) : IRolloutEvaluator
    {
        public bool NaNCosts { get; set; }
        public bool NaNGradients { get; set; }
        public float GradientScale { get; set; } = 1f;
        public int SleepMs { get; set; }
        public int Calls { get; private set; }

        public int StateDim => inner.StateDim;
        public int ActionDim => inner.ActionDim;
        public int GoalDim => inner.GoalDim;
        public bool SupportsGradients => inner.SupportsGradients;
        public long ModelEvaluations => inner.ModelEvaluations;
        public void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch) => inner.Bind(initialLatents, goals, batch);

        public void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients)
        {
            Calls++;
            if (SleepMs > 0) Thread.Sleep(SleepMs);
            inner.Evaluate(actions, candidates, horizon, costs, actionGradients);
            if (NaNCosts) costs.Fill(float.NaN);
            if (NaNGradients && !actionGradients.IsEmpty) actionGradients.Fill(float.NaN);
            for (int i = 0; i < actionGradients.Length; i++) actionGradients[i] *= GradientScale;
        }

        public void Dispose() => inner.Dispose();
    }
}
