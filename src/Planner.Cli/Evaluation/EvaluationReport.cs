using System.Globalization;
using System.Text.Json;
using Planner.Cli.Infrastructure;

namespace Planner.Cli.Evaluation;

/// <summary>Success rate, steps and planning time, overall and per geodesic-distance bin.</summary>
internal sealed record EvaluationReport(string Planner, Summary Overall, IReadOnlyList<(DistanceBin Bin, Summary Summary)> Bins, IReadOnlyList<EpisodeResult> Episodes)
{
    public static EvaluationReport From(string planner, IReadOnlyList<EpisodeResult> results, IReadOnlyList<DistanceBin> bins)
    {
        var perBin = new List<(DistanceBin, Summary)>();
        foreach (var bin in bins)
        {
            var inBin = results.Where(r => bin.Contains(r.Task.GeodesicCells)).ToList();
            if (inBin.Count > 0) perBin.Add((bin, Summary.Of(inBin)));
        }
        return new EvaluationReport(planner, Summary.Of(results), perBin, results);
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteString("planner", Planner);
        Overall.Write(w);
        w.WritePropertyName("bins");
        w.WriteStartArray();
        foreach (var (bin, summary) in Bins)
        {
            w.WriteStartObject();
            w.WriteString("name", bin.Name);
            w.WriteNumber("min_cells", bin.MinCells);
            w.WriteNumber("max_cells", bin.MaxCells);
            summary.Write(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // One row per episode, so failures can be found and replayed (same --seed, --episodes and task filters).
        w.WritePropertyName("episode_results");
        w.WriteStartArray();
        foreach (var e in Episodes)
        {
            w.WriteStartObject();
            w.WriteNumber("cells", e.Task.GeodesicCells);
            w.WriteBoolean("success", e.Success);
            w.WriteNumber("steps", e.Steps);
            w.WriteNumber("remaining_cells", e.RemainingCells);
            // How much the top level of a hierarchy planned: how often, and from which step on (-1: never).
            w.WriteNumber("top_plans", e.TopPlans.Count);
            w.WriteNumber("first_top_plan_step", e.TopPlans.Count > 0 ? e.TopPlans[0].Tick : -1);
            w.Number("start_x", e.Task.StartX);
            w.Number("start_y", e.Task.StartY);
            w.Number("goal_x", e.Task.GoalX);
            w.Number("goal_y", e.Task.GoalY);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public void Print(TextWriter output)
    {
        output.WriteLine($"{"bin",-8} {"cells",-7} {"episodes",8} {"success",8} {"mean steps",10} {"plan ms p50",11} {"plan ms p99",11} {"evals/step",11}");
        foreach (var (bin, s) in Bins)
            output.WriteLine(Row(bin.Name, $"{bin.MinCells}-{bin.MaxCells}", s));
        output.WriteLine(Row("all", "", Overall));
    }

    /// <summary>Planning-time ratios <paramref name="a"/> / <paramref name="b"/> (p50 and p99, overall and per bin) and model evaluations per step.</summary>
    public static void WriteRatios(Utf8JsonWriter w, EvaluationReport a, EvaluationReport b)
    {
        w.WritePropertyName($"{a.Planner}_over_{b.Planner}");
        w.WriteStartObject();
        foreach (var (name, r) in Pairs(a, b))
        {
            w.WritePropertyName(name);
            w.WriteStartObject();
            w.Number("plan_ms_median", r.Median);
            w.Number("plan_ms_p99", r.P99);
            w.Number("plan_ms_mean", r.Mean);
            w.Number("model_evals_per_step", r.Evaluations);
            w.WriteEndObject();
        }
        var same = SameWork.Of(a, b);
        w.WritePropertyName("same_work");
        w.WriteStartObject();
        w.WriteNumber("episodes", same.Episodes);
        w.WriteNumber("steps", same.Steps);
        w.Number("plan_ms_median", same.MedianRatio);
        w.Number("paired_step_ratio_median", same.PairedRatio);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// The episodes in which two agents did exactly the same planning work (same steps, same model evaluations: e.g. a
    /// hierarchy whose upper levels never planned): the ratio of their median step times, and the median over steps of
    /// the step-by-step ratio. What is left there is the controller's own overhead, and how the machine treated each.
    /// </summary>
    internal readonly record struct SameWork(int Episodes, int Steps, double MedianRatio, double PairedRatio)
    {
        public static SameWork Of(EvaluationReport a, EvaluationReport b)
        {
            var (xs, ys, ratios) = (new List<double>(), new List<double>(), new List<double>());
            int episodes = 0;
            for (int i = 0; i < a.Episodes.Count && i < b.Episodes.Count; i++)
            {
                var (x, y) = (a.Episodes[i], b.Episodes[i]);
                if (x.Task != y.Task || x.Steps != y.Steps || x.ModelEvaluations != y.ModelEvaluations) continue;
                episodes++;
                xs.AddRange(x.PlanMs);
                ys.AddRange(y.PlanMs);
                for (int t = 0; t < x.PlanMs.Length; t++) ratios.Add(x.PlanMs[t] / y.PlanMs[t]);
            }
            if (episodes == 0) return new SameWork(0, 0, double.NaN, double.NaN);
            return new SameWork(episodes, xs.Count, LatencyStats.From(xs.ToArray()).Median / LatencyStats.From(ys.ToArray()).Median,
                LatencyStats.From(ratios.ToArray()).Median);
        }
    }

    /// <summary>Prints the ratios of <see cref="WriteRatios"/> as a table.</summary>
    public static void PrintRatios(TextWriter output, EvaluationReport a, EvaluationReport b)
    {
        output.WriteLine($"{a.Planner} / {b.Planner} (same tasks, same process)");
        output.WriteLine($"{"bin",-8} {"plan ms p50",11} {"plan ms p99",11} {"plan ms mean",12} {"evals/step",11}");
        foreach (var (name, r) in Pairs(a, b))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-8} {r.Median,11:F3} {r.P99,11:F3} {r.Mean,12:F3} {r.Evaluations,11:F3}"));
        var same = SameWork.Of(a, b);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"same work (episodes with equal steps and evaluations: {same.Episodes}, {same.Steps} steps): p50 ratio {same.MedianRatio:F3}, step-by-step ratio median {same.PairedRatio:F3}"));
    }

    /// <summary>a / b of planning time (p50, p99, mean) and model evaluations per step.</summary>
    private readonly record struct Ratios(double Median, double P99, double Mean, double Evaluations)
    {
        public static Ratios Of(Summary a, Summary b) => new(a.PlanMs.Median / b.PlanMs.Median, a.PlanMs.P99 / b.PlanMs.P99,
            a.PlanMs.Mean / b.PlanMs.Mean, a.EvaluationsPerStep / b.EvaluationsPerStep);
    }

    /// <summary>The ratios of two reports on the same tasks: per bin, then overall.</summary>
    private static IEnumerable<(string Name, Ratios Ratios)> Pairs(EvaluationReport a, EvaluationReport b)
    {
        for (int i = 0; i < a.Bins.Count && i < b.Bins.Count; i++) yield return (a.Bins[i].Bin.Name, Ratios.Of(a.Bins[i].Summary, b.Bins[i].Summary));
        yield return ("all", Ratios.Of(a.Overall, b.Overall));
    }

    // Mean steps count successes only, so a bin without one prints "-" rather than NaN.
    private static string Row(string name, string cells, Summary s) => string.Create(CultureInfo.InvariantCulture,
        $"{name,-8} {cells,-7} {s.Episodes,8} {s.SuccessRate,8:P1} {(double.IsNaN(s.MeanSteps) ? "-" : s.MeanSteps.ToString("F1", CultureInfo.InvariantCulture)),10} {s.PlanMs.Median,11:F2} {s.PlanMs.P99,11:F2} {s.EvaluationsPerStep,11:F0}");
}

/// <summary>Aggregates over a set of episodes.</summary>
internal sealed record Summary(int Episodes, double SuccessRate, double MeanSteps, LatencyStats PlanMs, double EvaluationsPerStep)
{
    public static Summary Of(IReadOnlyList<EpisodeResult> results)
    {
        var successes = results.Where(r => r.Success).ToList();
        double meanSteps = successes.Count == 0 ? double.NaN : successes.Average(r => r.Steps);
        var ms = results.SelectMany(r => r.PlanMs).ToArray();
        long steps = results.Sum(r => (long)r.Steps);
        double evals = steps == 0 ? 0 : results.Sum(r => (double)r.ModelEvaluations) / steps;
        return new Summary(results.Count, results.Count == 0 ? double.NaN : (double)successes.Count / results.Count, meanSteps, LatencyStats.From(ms), evals);
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteNumber("episodes", Episodes);
        w.Number("success_rate", SuccessRate);
        w.Number("mean_steps", MeanSteps);
        w.Number("plan_ms_median", PlanMs.Median);
        w.Number("plan_ms_p99", PlanMs.P99);
        w.Number("model_evals_per_step", EvaluationsPerStep);
    }
}
