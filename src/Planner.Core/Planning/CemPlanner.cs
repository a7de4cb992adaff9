namespace Planner.Planning;

/// <summary>Cross-entropy method: sample N plans around a Gaussian, keep the elites, refit, repeat. Needs no gradients.</summary>
public sealed class CemPlanner : PlannerBase
{
    private readonly CemSampler _sampler;
    private readonly float[] _candidates, _costs;

    /// <summary>Creates a CEM planner.</summary>
    public CemPlanner(IRolloutEvaluator evaluator, PlanningOptions options, int batch, CemOptions? cem = null)
        : base(evaluator, options, batch)
    {
        cem ??= new CemOptions();
        cem.Validate();
        _candidates = new float[batch * options.Candidates * PlanLength];
        _costs = new float[batch * options.Candidates];
        _sampler = new CemSampler(cem, Bounds, batch, options.Candidates, PlanLength);
    }

    internal override (int Iterations, PlanStopReason Reason) Optimize(ref DeadlineClock clock)
    {
        int n = Options.Candidates;
        _sampler.Initialize(Nominal);
        int k = 0;
        for (; k < Options.Iterations; k++)
        {
            if (!clock.HasTimeForIteration()) return (k, PlanStopReason.Deadline);
            _sampler.Sample(_candidates, n, Random);
            Evaluator.Evaluate(_candidates, n, Horizon, _costs, default);
            TrackBest(_candidates, _costs, n);
            _sampler.Refit(_candidates, _costs, n);
            clock.IterationDone();
        }
        return (k, PlanStopReason.IterationBudget);
    }
}
