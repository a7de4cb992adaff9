using System.Diagnostics;
using Planner.Managed;
using Planner.Managed.Kernels;

namespace Planner.Benchmarks;

/// <summary>
/// Quick best-of-many timings of the hot pieces (for tuning on a noisy machine, where the minimum is the stable
/// statistic): <c>micro</c>.
/// </summary>
public static class Micro
{
    public static int Run(TextWriter output)
    {
        var rng = new Planner.Numerics.DeterministicRandom(1);
        var w = new float[256 * 256];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextFloat(-1, 1);
        var packed = PackedMatrix.FromRowMajor(w, 256, 256);
        foreach (int rows in new[] { 1, 4, 32, 128 })
        {
            var a = new float[rows * 256];
            for (int i = 0; i < a.Length; i++) a[i] = rng.NextFloat(-1, 1);
            var c = new float[rows * 256];
            double us = Best(() => Gemm.Multiply(a, 256, rows, packed, c, 256), 2000 / rows + 20);
            output.WriteLine($"gemm {rows,4}x256x256 dense : {us,8:F2} us  {Gemm.Flops(rows, 256, 256) / us / 1e3,6:F1} GFLOP/s");
            if (rows == 1)
            {
                for (int i = 0; i < 256; i += 2) a[i] = 0;
                us = Best(() => Gemm.Multiply(a, 256, rows, packed, c, 256), 2000);
                output.WriteLine($"gemm    1x256x256 half 0: {us,8:F2} us  {Gemm.Flops(rows, 256, 256) / us / 1e3,6:F1} dense-GFLOP/s");
            }
        }
        var problem = new SyntheticProblem(1, seed: 1);
        {
            var model = problem.CreateDynamics();
            float[] z = (float[])problem.InitialStates.Clone(), u = [0.3f, -0.2f, 0.5f, 0.1f], next = new float[32], tape = new float[model.TapeFloatsPerRow];
            float[] gz = new float[32], ga = new float[4], scratch = new float[model.ScratchFloatsPerRow];
            double f = Best(() => model.Forward(z, u, next, tape, 1), 3000);
            double b = Best(() => model.Backward(tape, z, gz, ga, scratch, 1), 3000);
            var l1 = PackedMatrix.FromTransposed(problem.Weights.Layers[0].Weight, 256, 36, problem.Weights.Layers[0].Bias);
            var l2 = PackedMatrix.FromTransposed(problem.Weights.Layers[1].Weight, 256, 256, problem.Weights.Layers[1].Bias);
            var l3 = PackedMatrix.FromTransposed(problem.Weights.Layers[2].Weight, 32, 256, problem.Weights.Layers[2].Bias);
            float[] x = new float[36], h = new float[256], y = new float[256];
            for (int i = 0; i < 36; i++) x[i] = 0.5f;
            for (int i = 0; i < 256; i += 2) h[i] = 0.5f;
            double t1 = Best(() => Gemm.Multiply(x, 36, 1, l1, y, 256), 3000);
            double t2 = Best(() => Gemm.Multiply(h, 256, 1, l2, y, 256), 3000);
            double t3 = Best(() => Gemm.Multiply(h, 256, 1, l3, y, 32), 3000);
            double t4 = Best(() => { Gemm.Multiply(x, 36, 1, l1, y, 256); Gemm.Multiply(h, 256, 1, l2, y, 256); Gemm.Multiply(h, 256, 1, l3, y, 32); }, 3000);
            output.WriteLine($"layers alone 1 row (half zeros): {t1:F2} + {t2:F2} + {t3:F2} us; together {t4:F2} us");
            output.WriteLine($"ResidualMlp 1 row: forward {f:F2} us, backward {b:F2} us ({model.ForwardFlopsPerRow / f / 1e3:F1} / {model.BackwardFlopsPerRow / b / 1e3:F1} dense-GFLOP/s)");
        }
        foreach (int threads in new[] { 1, 2 })
            foreach (int n in new[] { 1, 64, 256 })
                foreach (bool grad in new[] { false, true })
                {
                    using var ev = problem.CreateEvaluator(threads);
                    ev.Bind(problem.InitialStates, problem.Goals, 1);
                    var actions = new float[n * 16 * 4];
                    for (int i = 0; i < actions.Length; i++) actions[i] = rng.NextFloat(-1, 1);
                    var costs = new float[n];
                    var g = grad ? new float[actions.Length] : [];
                    double us = Best(() => ev.Evaluate(actions, n, 16, costs, g), n == 1 ? 300 : 30);
                    double gflops = ev.EssentialFlops(n, 16, grad) / us / 1e3;
                    output.WriteLine($"evaluate threads={threads} N={n,3} H=16 grad={grad,-5}: {us,9:F1} us  {gflops,6:F1} GFLOP/s");
                }
        return 0;
    }

    private static double Best(Action action, int reps)
    {
        for (int i = 0; i < 3; i++) action();
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return best;
    }
}
