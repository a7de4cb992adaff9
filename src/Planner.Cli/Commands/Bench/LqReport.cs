using System.Globalization;
using System.Text.Json;
using Planner.Cli.Infrastructure;
using Planner.Planning;

namespace Planner.Cli.Commands.Bench;

/// <summary>
/// The linear-quadratic figures: the closed-form unconstrained optimum with how close gradient descent gets to it, and
/// gd vs CEM vs MPPI with active bounds at equal model-evaluation budget (a gradient evaluation counts as two: forward
/// and backward).
/// </summary>
internal sealed record LqReport(double OptimalCost, double GradientCost, double Bound, double ActiveFraction,
    IReadOnlyList<(string Planner, double Cost, long Evaluations)> Bounded)
{
    public const int GradientCandidates = 8, GradientIterations = 100, SampleCandidates = 64, SampleIterations = 25;
    public const int UnconstrainedIterations = 1000;

    public static LqReport Compute(BenchProblem problem, string backend)
    {
        var s = problem.Settings;
        var lq = problem.Lq!;
        double optimal = 0;
        int active = 0, total = 0;
        double bound = s.Bound ?? 0.1;
        var u = new float[s.Horizon * s.Action];
        for (int b = 0; b < s.Batch; b++)
        {
            optimal += lq.OptimalCost(problem.Initial.AsSpan(b * s.State, s.State), s.Horizon, u);
            foreach (float v in u) { total++; if (MathF.Abs(v) > bound) active++; }
        }
        optimal /= s.Batch;

        // Unconstrained gradient descent, run long enough to converge.
        double gd = Plan(problem, backend, PlannerKind.Gradient, null, 4, UnconstrainedIterations, new GradientOptions { LearningRate = 0.05f, ConvergenceTolerance = 0 }).Cost;

        var bounded = new List<(string, double, long)>
        {
            Plan(problem, backend, PlannerKind.Gradient, bound, GradientCandidates, GradientIterations, null) is var g ? ("gd", g.Cost, g.Evaluations) : default,
            Plan(problem, backend, PlannerKind.Cem, bound, SampleCandidates, SampleIterations, null) is var c ? ("cem", c.Cost, c.Evaluations) : default,
            Plan(problem, backend, PlannerKind.Mppi, bound, SampleCandidates, SampleIterations, null) is var m ? ("mppi", m.Cost, m.Evaluations) : default,
        };
        return new LqReport(optimal, gd, bound, (double)active / total, bounded);
    }

    private static (double Cost, long Evaluations) Plan(BenchProblem problem, string backend, PlannerKind kind, double? bound, int candidates, int iterations, GradientOptions? gradient)
    {
        var s = problem.Settings;
        using var evaluator = problem.CreateEvaluator(backend);
        var options = new PlanningOptions
        {
            Horizon = s.Horizon, Candidates = candidates, Iterations = iterations, Seed = s.Seed,
            Bounds = bound is { } b ? ActionBounds.Uniform(s.Action, -(float)b, (float)b) : null,
        };
        using var planner = PlannerFactory.Create(kind, evaluator, options, s.Batch, gradient: gradient);
        var status = planner.Plan(problem.Initial, problem.Goals);
        double sum = 0;
        foreach (float c in planner.BestCost) sum += c;
        return (sum / s.Batch, status.ModelEvaluations);
    }

    public void Write(Utf8JsonWriter w)
    {
        w.Number("optimal_cost", OptimalCost);
        w.Number("gd_unconstrained_cost", GradientCost);
        w.Number("gd_gap_percent", 100 * (GradientCost - OptimalCost) / OptimalCost);
        w.WritePropertyName("bounded_comparison");
        w.WriteStartObject();
        w.Number("bound", Bound);
        w.Number("active_fraction_of_optimal_actions", ActiveFraction);
        foreach (var (planner, cost, evaluations) in Bounded)
        {
            w.WritePropertyName(planner);
            w.WriteStartObject();
            w.Number("cost", cost);
            w.WriteNumber("model_evaluations", evaluations);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public void Print(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lq: closed-form optimum {OptimalCost:G6}; gd (unconstrained, {UnconstrainedIterations} iters) {GradientCost:G6} ({100 * (GradientCost - OptimalCost) / OptimalCost:F3}% above)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lq with bounds ±{Bound} ({ActiveFraction:P0} of the optimal actions lie outside them), equal budget:"));
        foreach (var (planner, cost, evaluations) in Bounded)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {planner,-5} cost {cost,12:G6}  model evaluations {evaluations}"));
    }
}
