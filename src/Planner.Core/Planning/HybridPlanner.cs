namespace Planner.Planning;

/// <summary>
/// CEM then gradient: a sampling stage (a fraction of the iteration budget, N samples) finds good basins, then Adam
/// refines the best few candidates (the best plan so far and the top of the last population) for the rest of the budget.
/// </summary>
public sealed class HybridPlanner : PlannerBase
{
    private readonly HybridOptions _hybrid;
    private readonly CemSampler _sampler;
    private readonly AdamRefiner _adam;
    private readonly int _refine;
    private readonly float[] _samples, _sampleCosts, _refined, _refinedCosts, _gradients;
    private readonly int[] _top;

    /// <summary>Creates a hybrid planner; the evaluator must support gradients.</summary>
    public HybridPlanner(IRolloutEvaluator evaluator, PlanningOptions options, int batch,
        HybridOptions? hybrid = null, CemOptions? cem = null, GradientOptions? gradient = null)
        : base(evaluator, options, batch)
    {
        if (!evaluator.SupportsGradients)
            throw new ArgumentException("The hybrid planner needs an evaluator that supports gradients (SupportsGradients is false).", nameof(evaluator));
        _hybrid = hybrid ?? new HybridOptions();
        _hybrid.Validate();
        cem ??= new CemOptions();
        cem.Validate();
        gradient ??= new GradientOptions();
        gradient.Validate();
        int n = options.Candidates;
        _refine = Math.Min(_hybrid.RefineCandidates, n);
        _samples = new float[batch * n * PlanLength];
        _sampleCosts = new float[batch * n];
        _refined = new float[batch * _refine * PlanLength];
        _refinedCosts = new float[batch * _refine];
        _gradients = new float[_refined.Length];
        _top = new int[_refine];
        _sampler = new CemSampler(cem, Bounds, batch, n, PlanLength);
        _adam = new AdamRefiner(gradient, Bounds, batch, _refine, PlanLength);
    }

    internal override (int Iterations, PlanStopReason Reason) Optimize(ref DeadlineClock clock)
    {
        int n = Options.Candidates, total = Options.Iterations;
        int sampling = total == 0 ? 0 : Math.Clamp((int)MathF.Round(total * _hybrid.SamplingFraction), 1, total);
        _sampler.Initialize(Nominal);
        int k = 0;
        for (; k < sampling; k++)
        {
            if (!clock.HasTimeForIteration()) return (k, PlanStopReason.Deadline);
            _sampler.Sample(_samples, n, Random);
            Evaluator.Evaluate(_samples, n, Horizon, _sampleCosts, default);
            TrackBest(_samples, _sampleCosts, n);
            _sampler.Refit(_samples, _sampleCosts, n);
            clock.IterationDone();
        }
        if (k == total) return (k, PlanStopReason.IterationBudget);

        SeedRefinement(n, sampling > 0);
        _adam.Reset();
        int refineIterations = total - sampling;
        for (int r = 0; r < refineIterations; r++, k++)
        {
            if (!clock.HasTimeForIteration()) return (k, PlanStopReason.Deadline);
            Evaluator.Evaluate(_refined, _refine, Horizon, _refinedCosts, _gradients);
            TrackBest(_refined, _refinedCosts, _refine);
            if (_adam.UpdateConvergence(BestCost, r)) { clock.IterationDone(); return (k + 1, PlanStopReason.Converged); }
            _adam.Step(_refined, _gradients, _refinedCosts, r, refineIterations);
            clock.IterationDone();
        }
        return (k, PlanStopReason.IterationBudget);
    }

    /// <summary>Refinement starts from the best plan so far and the lowest-cost samples of the last population.</summary>
    private void SeedRefinement(int n, bool sampled)
    {
        for (int b = 0; b < Batch; b++)
        {
            Span<float> first = _refined.AsSpan(b * _refine * PlanLength, PlanLength);
            if (float.IsFinite(BestCost[b])) BestPlanOf(b).CopyTo(first);
            else Nominal.AsSpan(b * PlanLength, PlanLength).CopyTo(first);
            int found = sampled ? CemSampler.SelectLowest(_sampleCosts.AsSpan(b * n, n), _top) : 0;
            for (int i = 1; i < _refine; i++)
            {
                Span<float> dst = _refined.AsSpan((b * _refine + i) * PlanLength, PlanLength);
                // _top[0] is usually the best plan already in slot 0, so take the next ones.
                if (i < found) _samples.AsSpan((b * n + _top[i]) * PlanLength, PlanLength).CopyTo(dst);
                else first.CopyTo(dst);
            }
        }
    }
}
