using Planner.Managed.Kernels;

namespace Planner.Managed;

/// <summary>
/// This machine's matrix-multiply peak as the project's own best kernel reaches it: every thread multiplies a
/// cache-resident <c>[128 x 256] * [256 x 256]</c> product (the rollout's hidden-layer shape) over and over. Planning
/// efficiency is reported as essential FLOPs per second divided by this number.
/// </summary>
public static unsafe class PeakFlops
{
    /// <summary>Rows, inner size and columns of the measured product.</summary>
    public const int M = 128, K = 256, N = 256;

    /// <summary>Measures GFLOP/s (10^9 FLOPs per second, 2 per multiply-add) on <paramref name="threads"/> threads for about <paramref name="budget"/>, at <paramref name="level"/> (default: the best here).</summary>
    public static double Measure(int threads, TimeSpan budget, SimdLevel? level = null)
    {
        Guard.AtLeast(threads, 1, nameof(threads));
        if (!(budget > TimeSpan.Zero)) throw new ArgumentOutOfRangeException(nameof(budget), budget, $"budget must be > 0, got {budget.TotalMilliseconds} ms.");
        var weights = new float[K * N];
        var rng = new Numerics.DeterministicRandom(7);
        for (int i = 0; i < weights.Length; i++) weights[i] = rng.NextFloat(-1f, 1f);
        var b = PackedMatrix.FromRowMajor(weights, K, N, default, level);
        using var pool = new WorkerPool(threads);
        var work = new Work(b, threads);
        work.Ticks = Math.Max(1, (long)(budget.TotalSeconds * 0.1 * Stopwatch.Frequency)); // warm-up: 10% of the budget
        pool.Run(work, threads);
        work.Ticks = Math.Max(1, (long)(budget.TotalSeconds * 0.9 * Stopwatch.Frequency));
        long start = Stopwatch.GetTimestamp();
        pool.Run(work, threads);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long calls = 0;
        foreach (long c in work.Calls) calls += c;
        return calls * (double)Gemm.Flops(M, K, N) / seconds / 1e9;
    }

    private sealed class Work : IParallelWork
    {
        private readonly PackedMatrix _b;
        private readonly AlignedBuffer[] _a, _c;

        public Work(PackedMatrix b, int threads)
        {
            _b = b;
            _a = new AlignedBuffer[threads];
            _c = new AlignedBuffer[threads];
            Calls = new long[threads];
            for (int t = 0; t < threads; t++)
            {
                _a[t] = new AlignedBuffer(M * K);
                _c[t] = new AlignedBuffer(M * N);
                _a[t].Span.Fill(0.5f + t);
            }
        }

        public long Ticks { get; set; }

        public long[] Calls { get; }

        public void Execute(int worker)
        {
            long end = Stopwatch.GetTimestamp() + Ticks, calls = 0;
            float* a = _a[worker].Pointer, c = _c[worker].Pointer;
            do
            {
                Gemm.Multiply(a, K, M, _b, c, N);
                calls++;
            }
            while (Stopwatch.GetTimestamp() < end);
            Calls[worker] = calls;
        }
    }
}
