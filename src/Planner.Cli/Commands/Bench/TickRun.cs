using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Planner.Cli.Infrastructure;
using Planner.Control;
using Planner.Models;
using Planner.Planning;

namespace Planner.Cli.Commands.Bench;

/// <summary>
/// A control loop on the bench problem: every tick the controller plans (within the deadline, if any) and acts, and
/// the problem's own model moves the system. Reports the per-tick latency distribution, deadline overruns, invalid
/// actions and memory at start and end (a soak test when run long).
/// </summary>
internal sealed record TickRun(string Backend, int Ticks, LatencyStats Latency, int Overruns, double MaxOverrunMs, int InvalidActions,
    int DegradedTicks, int DeadlineStops, double MeanIterations, long HeapStart, long HeapEnd, long WorkingSetStart, long WorkingSetMid, long WorkingSetEnd,
    long AllocatedBytes, int Gen0Collections)
{
    public const int WarmupTicks = 50;

    public static TickRun Measure(BenchProblem problem, string backend, PlannerKind kind, IProgress<double>? progress)
    {
        var s = problem.Settings;
        using var evaluator = problem.CreateEvaluator(backend);
        IDifferentiableDynamics world = problem.Lq is not null ? problem.Lq.Dynamics : new ResidualMlp(s.State, s.Action, problem.Weights!);
        var options = new PlanningOptions
        {
            Horizon = s.Horizon, Candidates = s.Samples, Iterations = s.Iterations, Bounds = problem.Bounds, Seed = s.Seed,
            Deadline = s.DeadlineMs is { } d ? TimeSpan.FromMilliseconds(d) : null,
        };
        var planner = PlannerFactory.Create(kind, evaluator, options, s.Batch);
        using var controller = new RecedingHorizonController(new IdentityEncoder(s.State), planner,
            new ControllerOptions { InvalidObservation = InvalidObservationPolicy.Fallback });
        controller.SetGoalLatents(problem.Goals);

        var state = (float[])problem.Initial.Clone();
        var next = new float[state.Length];
        var action = new float[s.Batch * s.Action];
        var latencies = new double[s.Ticks];
        var bounds = problem.Bounds;
        double deadline = s.DeadlineMs ?? double.PositiveInfinity;
        int overruns = 0, invalid = 0, degraded = 0, deadlineStops = 0;
        double maxOverrun = 0, iterations = 0;

        for (int t = 0; t < WarmupTicks; t++) Tick();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heapStart = GC.GetTotalMemory(true);
        long workingSetStart = Environment.WorkingSet;
        long allocatedStart = GC.GetTotalAllocatedBytes(true);
        int gen0Start = GC.CollectionCount(0);

        long workingSetMid = 0, measurementBytes = 0;
        for (int t = 0; t < s.Ticks; t++)
        {
            if (t == s.Ticks / 2)
            {
                // Reading the working set allocates (it parses /proc): keep those bytes out of the planner's count.
                long before = GC.GetTotalAllocatedBytes(true);
                workingSetMid = Environment.WorkingSet;
                measurementBytes = GC.GetTotalAllocatedBytes(true) - before;
            }
            long start = Stopwatch.GetTimestamp();
            var status = Tick();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            latencies[t] = ms;
            iterations += status.Plan.Iterations;
            if (status.Plan.Reason == PlanStopReason.Deadline) deadlineStops++;
            if (status.Degraded) degraded++;
            if (ms > deadline) { overruns++; maxOverrun = Math.Max(maxOverrun, ms - deadline); }
            if (!bounds.Contains(action)) invalid++;
            if (progress is not null && t % Math.Max(1, s.Ticks / 100) == 0) progress.Report((double)t / s.Ticks);
        }
        progress?.Report(1);
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedStart - measurementBytes;
        int gen0 = GC.CollectionCount(0) - gen0Start;
        long heapEnd = GC.GetTotalMemory(true);
        return new TickRun(backend, s.Ticks, LatencyStats.From(latencies), overruns, maxOverrun, invalid, degraded, deadlineStops,
            iterations / s.Ticks, heapStart, heapEnd, workingSetStart, workingSetMid, Environment.WorkingSet, allocated, gen0);

        ControlStatus Tick()
        {
            var status = controller.Act(state, action);
            world.Forward(state, action, next, default, s.Batch);
            // Keep the loop going forever: a system that reached the goal, or that the (random, not necessarily
            // controllable) synthetic model carried far away, restarts from the initial state.
            next.CopyTo(state, 0);
            double norm = Norm(state);
            if (!double.IsFinite(norm) || norm < 1e-2 || norm > 1e3) Array.Copy(problem.Initial, state, state.Length);
            return status;
        }
    }

    private static double Norm(float[] x)
    {
        double sum = 0;
        foreach (float v in x) sum += v * v;
        return Math.Sqrt(sum);
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WritePropertyName("ticks");
        w.WriteStartObject();
        w.WriteString("backend", Backend);
        w.WriteNumber("count", Ticks);
        Latency.WritePercentiles(w);
        w.WriteNumber("overruns", Overruns);
        w.Number("max_overrun_ms", MaxOverrunMs);
        w.WriteNumber("invalid_actions", InvalidActions);
        w.WriteNumber("degraded_ticks", DegradedTicks);
        w.WriteNumber("deadline_stops", DeadlineStops);
        w.Number("mean_iterations", MeanIterations);
        w.WriteNumber("managed_heap_start_bytes", HeapStart);
        w.WriteNumber("managed_heap_end_bytes", HeapEnd);
        w.WriteNumber("working_set_start_bytes", WorkingSetStart);
        w.WriteNumber("working_set_mid_bytes", WorkingSetMid);
        w.WriteNumber("working_set_end_bytes", WorkingSetEnd);
        w.WriteNumber("allocated_bytes", AllocatedBytes);
        w.WriteNumber("gen0_collections", Gen0Collections);
        w.WriteEndObject();
    }

    public void Print(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"control loop, {Ticks} ticks ({Backend}): latency median {Latency.Median:F3} ms, p90 {Latency.P90:F3}, p99 {Latency.P99:F3}, max {Latency.Max:F3}; mean iterations {MeanIterations:F1}"));
        output.WriteLine(string.Create(inv, $"  deadline overruns {Overruns} (max by {MaxOverrunMs:F3} ms), deadline stops {DeadlineStops}, invalid actions {InvalidActions}, degraded ticks {DegradedTicks}"));
        output.WriteLine(string.Create(inv, $"  managed heap {HeapStart / 1024.0:F0} KiB -> {HeapEnd / 1024.0:F0} KiB, working set {WorkingSetStart / 1048576.0:F1} -> {WorkingSetMid / 1048576.0:F1} (half-way) -> {WorkingSetEnd / 1048576.0:F1} MiB, allocated {AllocatedBytes} bytes, gen0 GCs {Gen0Collections}"));
    }
}
