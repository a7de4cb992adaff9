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
            var b3 = PackedMatrix.FromRowMajor(problem.Weights.Layers[2].Weight, 32, 256);
            var b2 = PackedMatrix.FromRowMajor(problem.Weights.Layers[1].Weight, 256, 256);
            var b1 = PackedMatrix.FromRowMajor(problem.Weights.Layers[0].Weight, 256, 36);
            float[] g32 = new float[32];
            for (int i = 0; i < 32; i++) g32[i] = 0.5f;
            double u3 = Best(() => Gemm.Multiply(g32, 32, 1, b3, y, 256), 3000);
            double u2 = Best(() => Gemm.Multiply(h, 256, 1, b2, y, 256), 3000);
            double u1 = Best(() => Gemm.Multiply(h, 256, 1, b1, y, 36), 3000);
            output.WriteLine($"backward layers alone 1 row (half zeros): {u3:F2} + {u2:F2} + {u1:F2} us");
            var hr = new float[256];
            for (int i = 0; i < 256; i++) hr[i] = rng.NextFloat() < 0.5f ? 0f : 0.5f;
            double r2 = Best(() => Gemm.Multiply(hr, 256, 1, b2, y, 256), 3000);
            double r2f = Best(() => Gemm.Multiply(hr, 256, 1, l2, y, 256), 3000);
            var zz = new float[32];
            model.Forward(z, u, zz, tape, 1);
            int active1 = 0, active2 = 0;
            for (int i = 0; i < 256; i++) { active1 += tape[i] > 0 ? 1 : 0; active2 += tape[256 + i] > 0 ? 1 : 0; }
            float[] dh2 = new float[256], dh1 = new float[256], gx = new float[36];
            double chain = Best(() =>
            {
                Gemm.Multiply(z, 32, 1, b3, dh2, 256);
                System.Numerics.Tensors.TensorPrimitives.Multiply(dh2, tape.AsSpan(256, 256), dh2);
                Gemm.Multiply(dh2, 256, 1, b2, dh1, 256);
                System.Numerics.Tensors.TensorPrimitives.Multiply(dh1, tape.AsSpan(0, 256), dh1);
                Gemm.Multiply(dh1, 256, 1, b1, gx, 36);
            }, 3000);
            output.WriteLine($"backward chain by hand with the real masks: {chain:F2} us");
            output.WriteLine($"random half zeros: backward L2 {r2:F2} us, forward L2 {r2f:F2} us; ReLU active {active1}/256, {active2}/256");
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
        foreach (int chunk in new[] { 4, 8, 16, 32, 64 })
            foreach (int threads in new[] { 1, 2 })
            {
                using var ev = new ManagedRolloutEvaluator(problem.CreateDynamics(), problem.CreateCost(), threads: threads, chunkRows: chunk);
                ev.Bind(problem.InitialStates, problem.Goals, 1);
                var actions = new float[256 * 16 * 4];
                for (int i = 0; i < actions.Length; i++) actions[i] = rng.NextFloat(-1, 1);
                var costs = new float[256];
                var g = new float[actions.Length];
                double us = Best(() => ev.Evaluate(actions, 256, 16, costs, g), 20);
                output.WriteLine($"evaluate chunk={chunk,2} threads={threads} N=256 grad: {us,9:F1} us  {ev.EssentialFlops(256, 16, true) / us / 1e3,6:F1} GFLOP/s");
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
