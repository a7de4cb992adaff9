using System.Diagnostics;
using Planner.Managed;
using Planner.Planning;
using Planner.Torch.Models;
using Planner.Torch.Rollout;

namespace Planner.Benchmarks;

/// <summary>
/// The acceptance comparison of issue 5 on the synthetic problem (S=32, A=4, W=256, ReLU): the same plan with the
/// managed and the Torch CPU backend, both on the same number of threads, median wall time of several plan calls.
/// Usage: <c>compare [--threads 2] [--torch-threads 2] [--reps 7] [--peak-ms 2000] [--only text]</c>.
/// </summary>
public static class Compare
{
    private sealed record Case(string Name, PlannerKind Kind, int Batch, int Candidates, int Horizon, int Iterations, double Target);

    private static readonly Case[] Cases =
    [
        new("gd  B=1  N=1   H=16 K=50", PlannerKind.Gradient, 1, 1, 16, 50, 20),
        new("gd  B=1  N=64  H=16 K=20", PlannerKind.Gradient, 1, 64, 16, 20, 2),
        new("cem B=1  N=256 H=16 K=5 ", PlannerKind.Cem, 1, 256, 16, 5, 1.5),
        new("mppi B=1 N=256 H=16 K=5 ", PlannerKind.Mppi, 1, 256, 16, 5, 1.5),
        new("gd  B=32 N=64  H=16 K=20", PlannerKind.Gradient, 32, 64, 16, 20, 2),
    ];

    public static int Run(string[] args, TextWriter output)
    {
        int threads = Option(args, "--threads", 2), reps = Option(args, "--reps", 7), peakMs = Option(args, "--peak-ms", 2000);
        int torchThreads = Option(args, "--torch-threads", threads);
        string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        TorchSharp.torch.set_num_threads(torchThreads);
        double peak = PeakFlops.Measure(threads, TimeSpan.FromMilliseconds(peakMs));
        output.WriteLine($"threads={threads} torch-threads={torchThreads} simd={Planner.Managed.Kernels.SimdSupport.Best} peak={peak:F1} GFLOP/s (PeakFlops.Measure, own GEMM {PeakFlops.M}x{PeakFlops.K}x{PeakFlops.N})");
        output.WriteLine("times: median (best) of the plan calls; speed-up = Torch median / managed median (best / best)");
        output.WriteLine($"{"case",-26} {"managed ms",18} {"torch ms",18} {"speed-up",14} {"target",7} {"GFLOP/s",8} {"of peak",8}");
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            var problem = new SyntheticProblem(c.Batch, seed: 1);
            var options = problem.CreateOptions(c.Candidates, c.Horizon, c.Iterations);
            var managed = TimeManaged(problem, options, c.Kind, threads, reps);
            var torch = TimeTorch(problem, options, c.Kind, Math.Max(3, reps / 2));
            double gflops = problem.EssentialFlops(managed.Evaluations) / (managed.Median * 1e6);
            output.WriteLine($"{c.Name,-26} {managed.Median,9:F2} ({managed.Best,6:F2}) {torch.Median,9:F2} ({torch.Best,6:F2}) {torch.Median / managed.Median,5:F1}x ({torch.Best / managed.Best,5:F1}x) {c.Target,6:F1}x {gflops,8:F1} {gflops / peak,8:P0}");
        }
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static Timing TimeManaged(SyntheticProblem problem, PlanningOptions options, PlannerKind kind, int threads, int reps)
    {
        using var evaluator = problem.CreateEvaluator(threads);
        using var planner = PlannerFactory.Create(kind, evaluator, options, problem.Batch, SyntheticProblem.FixedBudgetGradient);
        return Time(planner, problem, reps);
    }

    private static Timing TimeTorch(SyntheticProblem problem, PlanningOptions options, PlannerKind kind, int reps)
    {
        using var model = new ResidualMlpDynamics(problem.StateDim, problem.ActionDim, problem.Weights);
        using var evaluator = new TorchRolloutEvaluator(model, problem.CreateCost());
        using var planner = PlannerFactory.Create(kind, evaluator, options, problem.Batch, SyntheticProblem.FixedBudgetGradient);
        return Time(planner, problem, reps);
    }

    /// <summary>Median of <paramref name="reps"/> plan calls after two warm-up calls; each call starts cold (no warm start).</summary>
    private readonly record struct Timing(double Median, double Best, long Evaluations);

    private static Timing Time(PlannerBase planner, SyntheticProblem problem, int reps)
    {
        for (int i = 0; i < 2; i++) { planner.ResetWarmStart(); planner.Plan(problem.InitialStates, problem.Goals); }
        var times = new double[reps];
        long evaluations = 0;
        for (int i = 0; i < reps; i++)
        {
            planner.ResetWarmStart();
            long start = Stopwatch.GetTimestamp();
            var status = planner.Plan(problem.InitialStates, problem.Goals);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            evaluations = status.ModelEvaluations;
        }
        Array.Sort(times);
        return new Timing(times[reps / 2], times[0], evaluations);
    }
}
