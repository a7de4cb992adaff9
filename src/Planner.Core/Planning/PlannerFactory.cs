namespace Planner.Planning;

/// <summary>The planners by name, for configuration files and the command line.</summary>
public enum PlannerKind
{
    /// <summary>Adam over the action sequence with restarts (<see cref="GradientPlanner"/>).</summary>
    Gradient,

    /// <summary>Cross-entropy method (<see cref="CemPlanner"/>).</summary>
    Cem,

    /// <summary>Model-predictive path integral (<see cref="MppiPlanner"/>).</summary>
    Mppi,

    /// <summary>CEM then gradient (<see cref="HybridPlanner"/>).</summary>
    Hybrid,
}

/// <summary>Creates planners by kind.</summary>
public static class PlannerFactory
{
    /// <summary>Parses <c>gd|gradient|cem|mppi|hybrid</c>; throws naming the accepted values otherwise.</summary>
    public static PlannerKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "gd" or "gradient" => PlannerKind.Gradient,
        "cem" => PlannerKind.Cem,
        "mppi" => PlannerKind.Mppi,
        "hybrid" => PlannerKind.Hybrid,
        _ => throw new ArgumentException($"planner '{name}' is unknown; expected one of gd, cem, mppi, hybrid.", nameof(name)),
    };

    /// <summary>Creates a planner of the given kind with default per-planner settings unless given.</summary>
    public static PlannerBase Create(PlannerKind kind, IRolloutEvaluator evaluator, PlanningOptions options, int batch,
        GradientOptions? gradient = null, CemOptions? cem = null, MppiOptions? mppi = null, HybridOptions? hybrid = null) => kind switch
    {
        PlannerKind.Gradient => new GradientPlanner(evaluator, options, batch, gradient),
        PlannerKind.Cem => new CemPlanner(evaluator, options, batch, cem),
        PlannerKind.Mppi => new MppiPlanner(evaluator, options, batch, mppi),
        PlannerKind.Hybrid => new HybridPlanner(evaluator, options, batch, hybrid, cem, gradient),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown planner kind"),
    };
}
