using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Planner.Cli.Commands.Bench;
using Planner.Cli.Infrastructure;
using Planner.Planning;

namespace Planner.Cli.Commands;

/// <summary><c>planner bench</c>: times whole plan calls on a documented synthetic problem.</summary>
internal static class BenchCommand
{
    public const string Help = """
        planner bench: time planning on a synthetic problem

        problems (--problem):
          mlp  residual MLP world model s' = s + MLP([s, a]), layers (S+A)->W->W->S, ReLU, weights from --seed,
               s0 ~ N(0, 1), goal 0, cost sum_t ||s_t||^2 + 1e-3 ||a_t||^2, actions in [-1, 1]   (default)
          lq   linear system x' = Ax + Bu with the same cost; also prints the closed-form optimal_cost and a
               bounded comparison of gd, cem and mppi at equal model-evaluation budget

        options:
          --backend torch|managed   --planner gd|cem|mppi|hybrid   --problem mlp|lq
          --samples N (64)  --horizon H (16)  --iters K (20)  --batch B (1)
          --state S (32)  --action A (4)  --hidden W (256)  --threads T (2)
          --repeats R (20)  --warmup W (3)  --warmup-ms M (2000)  --seed N (0)  --bound X (lq: action bound; default none)
          --deadline-ms D   stop each plan before D ms and return the best plan so far
          --device cpu|cuda (torch backend)   --compare (both backends, same problem, with the ratio)
          --ticks T         run a control loop of T ticks instead (the problem's model is the system): per-tick latency
                            distribution, deadline overruns, invalid actions, managed heap and process memory at start/end
          --peak            measure this machine's matrix-multiply peak (the managed GEMM kernel, --threads threads, dense
                            inputs; before and after the runs, the higher kept) and print each backend's essential FLOPs
                            (every multiply-add of the dense forward + input-gradient passes) as a fraction of it. The managed
                            kernel skips multiply-adds by exact zeros (ReLU outputs), so its fraction can exceed 100 %
          --json            print one JSON object
        timing: after warm-up (at least W calls and M ms, so the JIT has recompiled the hot code with full optimisation; an
                explicit --warmup without --warmup-ms: exactly W calls), per whole plan call (warm start reset before each
                call, so every call does the same work)
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var settings = BenchSettings.Parse(args);
        var problem = BenchProblem.Create(settings);

        if (settings.Ticks > 0)
        {
            var ticks = TickRun.Measure(problem, settings.Backend, settings.Planner, settings.Json ? null : new ProgressLine("ticks"));
            if (settings.Json) Json.WriteObject(stdout, w => { ticks.Write(w); WriteConfig(w, settings); });
            else ticks.Print(stdout);
            return 0;
        }

        // The peak is measured before and after the runs and the higher value kept: on a shared machine a busy moment
        // lowers one measurement, and the higher peak gives the lower (conservative) efficiency.
        double peakBefore = settings.Peak ? Managed.PeakFlops.Measure(settings.Threads, TimeSpan.FromSeconds(2)) : double.NaN;
        var runs = new List<BenchRun>();
        if (settings.Compare)
        {
            runs.Add(BenchRun.Measure(problem, "managed", settings.Planner, settings.Samples, settings.Iterations));
            runs.Add(BenchRun.Measure(problem, "torch", settings.Planner, settings.Samples, settings.Iterations));
        }
        else
        {
            runs.Add(BenchRun.Measure(problem, settings.Backend, settings.Planner, settings.Samples, settings.Iterations));
        }
        LqReport? lq = problem.Lq is null ? null : LqReport.Compute(problem, settings.Backend);
        double peakAfter = settings.Peak ? Managed.PeakFlops.Measure(settings.Threads, TimeSpan.FromSeconds(2)) : double.NaN;
        double peak = Math.Max(peakBefore, peakAfter);

        if (settings.Json)
        {
            Json.WriteObject(stdout, w =>
            {
                runs[0].WriteFields(w);
                if (runs.Count > 1)
                {
                    w.WritePropertyName("compare");
                    w.WriteStartObject();
                    foreach (var run in runs)
                    {
                        w.WritePropertyName(run.Backend);
                        w.WriteStartObject();
                        run.WriteFields(w);
                        w.WriteEndObject();
                    }
                    w.Number("speedup_managed_over_torch", runs[1].Latency.Median / runs[0].Latency.Median);
                    w.WriteEndObject();
                }
                lq?.Write(w);
                if (settings.Peak)
                {
                    w.Number("peak_gflops", peak);
                    w.Number("peak_gflops_before", peakBefore);
                    w.Number("peak_gflops_after", peakAfter);
                    w.Number("efficiency", runs[0].EssentialGflops / peak);
                    if (!double.IsNaN(runs[0].ExecutedFraction)) w.Number("executed_efficiency", runs[0].EssentialGflops * runs[0].ExecutedFraction / peak);
                }
                WriteConfig(w, settings);
            });
        }
        else
        {
            stdout.WriteLine($"problem {settings.Problem.ToString().ToLowerInvariant()}  S={settings.State} A={settings.Action} W={settings.Hidden}  planner {settings.Planner}  B={settings.Batch} N={settings.Samples} H={settings.Horizon} K={settings.Iterations}  threads {settings.Threads}");
            stdout.WriteLine($"{"backend",-8} {"median ms",10} {"p90 ms",10} {"p99 ms",10} {"iters",6} {"zero-action cost",17} {"final cost",12} {"GFLOP/s",8}");
            foreach (var run in runs)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Backend,-8} {run.Latency.Median,10:F3} {run.Latency.P90,10:F3} {run.Latency.P99,10:F3} {run.MeanIterations,6:F1} {run.ZeroActionCost,17:G6} {run.FinalCost,12:G6} {run.EssentialGflops,8:F1}"));
            if (runs.Count > 1)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed is {runs[1].Latency.Median / runs[0].Latency.Median:F2}x faster than torch (median)"));
            lq?.Print(stdout);
            if (settings.Peak)
                foreach (var run in runs)
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{run.Backend}: essential FLOPs at {run.EssentialGflops:F1} GFLOP/s = {run.EssentialGflops / peak:P0} of this machine's measured peak {peak:F1} GFLOP/s ({settings.Threads} threads)"));
                    if (!double.IsNaN(run.ExecutedFraction))
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{run.Backend}: ran {run.ExecutedFraction:P0} of those multiply-adds (the rest had an exact-zero input): {run.EssentialGflops * run.ExecutedFraction:F1} GFLOP/s executed = {run.EssentialGflops * run.ExecutedFraction / peak:P0} of peak"));
                }
        }
        return 0;
    }

    private static void WriteConfig(Utf8JsonWriter w, BenchSettings s)
    {
        w.WritePropertyName("config");
        w.WriteStartObject();
        w.WriteString("problem", s.Problem.ToString().ToLowerInvariant());
        w.WriteString("backend", s.Compare ? "compare" : s.Backend);
        w.WriteString("planner", s.Planner.ToString().ToLowerInvariant());
        w.WriteNumber("samples", s.Samples);
        w.WriteNumber("horizon", s.Horizon);
        w.WriteNumber("iters", s.Iterations);
        w.WriteNumber("batch", s.Batch);
        w.WriteNumber("state", s.State);
        w.WriteNumber("action", s.Action);
        w.WriteNumber("hidden", s.Hidden);
        w.WriteNumber("threads", s.Threads);
        w.WriteNumber("repeats", s.Repeats);
        w.WriteNumber("warmup", s.Warmup);
        w.WriteNumber("warmup_ms", s.WarmupMs);
        w.WriteNumber("seed", s.Seed);
        if (s.DeadlineMs is { } d) w.WriteNumber("deadline_ms", d); else w.WriteNull("deadline_ms");
        if (s.Bound is { } b) w.WriteNumber("bound", b); else w.WriteNull("bound");
        w.WriteString("device", s.Device);
        w.WriteEndObject();
    }
}

/// <summary>
/// One backend's timing of the bench problem. <c>ExecutedFraction</c> (managed backend only, else NaN): the fraction of the
/// dense multiply-adds its kernels actually ran (they skip exact-zero inputs), counted on one extra plan call after the timed ones.
/// </summary>
internal sealed record BenchRun(string Backend, LatencyStats Latency, double ZeroActionCost, double FinalCost, double MeanIterations, long EvaluationsPerPlan,
    int DeadlineStops, double EssentialGflops, double ExecutedFraction)
{
    public static BenchRun Measure(BenchProblem problem, string backend, PlannerKind kind, int samples, int iterations)
    {
        var s = problem.Settings;
        using var evaluator = problem.CreateEvaluator(backend);
        var options = new PlanningOptions
        {
            Horizon = s.Horizon, Candidates = samples, Iterations = iterations, Bounds = problem.Bounds, Seed = s.Seed,
            Deadline = s.DeadlineMs is { } d ? TimeSpan.FromMilliseconds(d) : null,
        };
        // A fixed budget: every call runs exactly K iterations, so backends and runs compare like for like.
        using var planner = PlannerFactory.Create(kind, evaluator, options, s.Batch, gradient: new GradientOptions { ConvergenceTolerance = 0 });
        double zero = MeasureZeroActionCost(evaluator, problem);

        // Tiered JIT: hot methods run unoptimised code until they have been called tens of times and a background
        // recompilation has finished, so a few calls are not enough; both backends get the same warm-up.
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < s.Warmup || Stopwatch.GetElapsedTime(warmupStart).TotalMilliseconds < s.WarmupMs; i++)
        {
            planner.ResetWarmStart();
            planner.Plan(problem.Initial, problem.Goals);
        }
        var times = new double[s.Repeats];
        double iterationsSum = 0;
        long evaluations = 0;
        int deadlineStops = 0;
        for (int r = 0; r < s.Repeats; r++)
        {
            planner.ResetWarmStart();
            long start = Stopwatch.GetTimestamp();
            var status = planner.Plan(problem.Initial, problem.Goals);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            iterationsSum += status.Iterations;
            evaluations = status.ModelEvaluations;
            if (status.Reason == PlanStopReason.Deadline) deadlineStops++;
        }
        double final = 0;
        foreach (float c in planner.BestCost) final += c;
        var latency = LatencyStats.From(times);
        double gflops = evaluations * (double)problem.FlopsPerModelStep / (latency.Median * 1e-3) / 1e9;
        double executed = backend == "managed" ? MeasureExecutedFraction(planner, problem) : double.NaN;
        return new BenchRun(backend, latency, zero, final / s.Batch, iterationsSum / s.Repeats, evaluations, deadlineStops, gflops, executed);
    }

    /// <summary>One untimed plan call with the managed kernels counting the multiply-adds they skip for exact-zero inputs.</summary>
    private static double MeasureExecutedFraction(PlannerBase planner, BenchProblem problem)
    {
        Managed.Kernels.Gemm.ResetSkipped();
        Managed.Kernels.Gemm.CountSkipped = true;
        planner.ResetWarmStart();
        PlanStatus status;
        try
        {
            status = planner.Plan(problem.Initial, problem.Goals);
        }
        finally
        {
            Managed.Kernels.Gemm.CountSkipped = false;
        }
        double dense = status.ModelEvaluations * (problem.FlopsPerModelStep / 2.0);
        return dense > 0 ? 1 - Managed.Kernels.Gemm.SkippedMultiplyAdds / dense : double.NaN;
    }

    /// <summary>Mean cost of doing nothing (all-zero actions) over the batch.</summary>
    public static double MeasureZeroActionCost(IRolloutEvaluator evaluator, BenchProblem problem)
    {
        var s = problem.Settings;
        evaluator.Bind(problem.Initial, problem.Goals, s.Batch);
        var actions = new float[s.Batch * s.Horizon * s.Action];
        var costs = new float[s.Batch];
        evaluator.Evaluate(actions, 1, s.Horizon, costs, default);
        double sum = 0;
        foreach (float c in costs) sum += c;
        return sum / s.Batch;
    }

    public void WriteFields(Utf8JsonWriter w)
    {
        w.WriteString("backend", Backend);
        Latency.WritePercentiles(w);
        w.Number("mean_ms", Latency.Mean);
        w.Number("zero_action_cost", ZeroActionCost);
        w.Number("final_cost", FinalCost);
        w.Number("mean_iterations", MeanIterations);
        w.WriteNumber("model_evaluations_per_plan", EvaluationsPerPlan);
        w.WriteNumber("deadline_stops", DeadlineStops);
        w.Number("essential_gflops", EssentialGflops);
        if (!double.IsNaN(ExecutedFraction)) w.Number("executed_multiply_add_fraction", ExecutedFraction);
    }
}
