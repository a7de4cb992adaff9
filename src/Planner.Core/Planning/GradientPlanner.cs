namespace Planner.Planning;

/// <summary>
/// Gradient planning: Adam on N restarts at once (the warm start, perturbations of it, and uniform draws in the
/// bounds), projected into the bounds, best of N returned, early stop per problem on convergence.
/// </summary>
public sealed class GradientPlanner : PlannerBase
{
    private readonly GradientOptions _gradient;
    private readonly AdamRefiner _adam;
    private readonly float[] _candidates, _costs, _gradients;

    /// <summary>Creates a gradient planner; the evaluator must support gradients.</summary>
    public GradientPlanner(IRolloutEvaluator evaluator, PlanningOptions options, int batch, GradientOptions? gradient = null)
        : base(evaluator, options, batch)
    {
        if (!evaluator.SupportsGradients)
            throw new ArgumentException("The gradient planner needs an evaluator that supports gradients (SupportsGradients is false).", nameof(evaluator));
        _gradient = gradient ?? new GradientOptions();
        _gradient.Validate();
        int n = options.Candidates;
        _candidates = new float[batch * n * PlanLength];
        _costs = new float[batch * n];
        _gradients = new float[_candidates.Length];
        _adam = new AdamRefiner(_gradient, Bounds, batch, n, PlanLength);
    }

    internal override (int Iterations, PlanStopReason Reason) Optimize(ref DeadlineClock clock)
    {
        int n = Options.Candidates;
        InitializeRestarts(_candidates, n);
        _adam.Reset();
        int k = 0;
        for (; k < Options.Iterations; k++)
        {
            if (!clock.HasTimeForIteration()) return (k, PlanStopReason.Deadline);
            Evaluator.Evaluate(_candidates, n, Horizon, _costs, _gradients);
            TrackBest(_candidates, _costs, n);
            if (_adam.UpdateConvergence(BestCost, k)) { clock.IterationDone(); return (k + 1, PlanStopReason.Converged); }
            _adam.Step(_candidates, _gradients, _costs, k, Options.Iterations);
            clock.IterationDone();
        }
        return (k, PlanStopReason.IterationBudget);
    }

    /// <summary>Candidate 0: the warm start; then perturbations of it; then uniform draws in the bounds.</summary>
    private void InitializeRestarts(Span<float> candidates, int n)
    {
        int perturbed = n > 1 ? (int)MathF.Round((n - 1) * (1 - _gradient.RandomFraction)) : 0;
        ReadOnlySpan<float> low = Bounds.Low, high = Bounds.High;
        for (int b = 0; b < Batch; b++)
        {
            ref var rng = ref Random[b];
            ReadOnlySpan<float> warm = Nominal.AsSpan(b * PlanLength, PlanLength);
            for (int i = 0; i < n; i++)
            {
                Span<float> c = candidates.Slice((b * n + i) * PlanLength, PlanLength);
                for (int j = 0; j < PlanLength; j++)
                {
                    int d = j % ActionDim;
                    float value;
                    if (i == 0) value = warm[j];
                    else if (i <= perturbed) value = warm[j] + _gradient.PerturbationScale * Bounds.Scale(d) * rng.NextGaussian();
                    else if (float.IsFinite(low[d]) && float.IsFinite(high[d])) value = rng.NextFloat(low[d], high[d]);
                    else value = rng.NextGaussian();
                    c[j] = Math.Clamp(value, low[d], high[d]);
                }
            }
        }
    }
}
