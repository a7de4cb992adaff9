namespace Planner.Planning;

/// <summary>
/// Model-predictive path integral control: perturb the nominal plan with Gaussian noise, weight each sample by
/// <c>exp(-(cost - min) / (lambda * spread))</c> and move the nominal to the weighted mean. The costs are scaled by
/// their spread (std of the finite costs) so one temperature works across problems of any cost scale.
/// </summary>
public sealed class MppiPlanner : PlannerBase
{
    private readonly MppiOptions _mppi;
    private readonly float[] _nominal, _candidates, _costs, _weights;
    private readonly float[] _noiseScale, _low, _high; // per plan entry
    private readonly float[] _noise;                   // [(N - 1) x H x A]: one problem's draws
    private readonly GaussianBlock _gaussian;

    /// <summary>Creates an MPPI planner.</summary>
    public MppiPlanner(IRolloutEvaluator evaluator, PlanningOptions options, int batch, MppiOptions? mppi = null)
        : base(evaluator, options, batch)
    {
        _mppi = mppi ?? new MppiOptions();
        _mppi.Validate();
        _nominal = new float[batch * PlanLength];
        _candidates = new float[batch * options.Candidates * PlanLength];
        _costs = new float[batch * options.Candidates];
        _weights = new float[options.Candidates];
        _noiseScale = new float[PlanLength];
        for (int j = 0; j < PlanLength; j++) _noiseScale[j] = _mppi.NoiseStd * Bounds.Scale(j % ActionDim) * 0.5f;
        (_low, _high) = CemSampler.PlanBounds(Bounds, PlanLength);
        _noise = new float[(options.Candidates - 1) * PlanLength];
        _gaussian = new GaussianBlock(_noise.Length);
    }

    internal override (int Iterations, PlanStopReason Reason) Optimize(ref DeadlineClock clock)
    {
        int n = Options.Candidates;
        Nominal.AsSpan().CopyTo(_nominal);
        int k = 0;
        for (; k < Options.Iterations; k++)
        {
            if (!clock.HasTimeForIteration()) return (k, PlanStopReason.Deadline);
            for (int b = 0; b < Batch; b++)
            {
                // Candidate 0 is the nominal itself; the others clamp(nominal + scale * noise), the noise drawn as one block.
                ReadOnlySpan<float> nominal = _nominal.AsSpan(b * PlanLength, PlanLength);
                Span<float> noise = _noise.AsSpan(0, (n - 1) * PlanLength);
                _gaussian.Fill(ref Random[b], noise);
                for (int i = 0; i < n; i++)
                {
                    Span<float> c = _candidates.AsSpan((b * n + i) * PlanLength, PlanLength);
                    if (i == 0) nominal.CopyTo(c);
                    else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(noise.Slice((i - 1) * PlanLength, PlanLength), _noiseScale, nominal, c);
                    CemSampler.ClampPlan(c, _low, _high);
                }
            }
            Evaluator.Evaluate(_candidates, n, Horizon, _costs, default);
            TrackBest(_candidates, _costs, n);
            for (int b = 0; b < Batch; b++) UpdateNominal(b, n);
            clock.IterationDone();
        }
        return (k, PlanStopReason.IterationBudget);
    }

    private void UpdateNominal(int b, int n)
    {
        ReadOnlySpan<float> costs = _costs.AsSpan(b * n, n);
        float min = float.PositiveInfinity, sum = 0, sumSq = 0;
        int finite = 0;
        for (int i = 0; i < n; i++)
        {
            float c = costs[i];
            if (!float.IsFinite(c)) continue;
            min = MathF.Min(min, c);
            sum += c;
            sumSq += c * c;
            finite++;
        }
        if (finite == 0) return; // nothing to learn from: keep the nominal
        float mean = sum / finite;
        float spread = MathF.Sqrt(MathF.Max(sumSq / finite - mean * mean, 0f)) + 1e-12f;
        float total = 0;
        for (int i = 0; i < n; i++)
        {
            float c = costs[i];
            float w = float.IsFinite(c) ? MathF.Exp(-(c - min) / (_mppi.Temperature * spread)) : 0f;
            _weights[i] = w;
            total += w;
        }
        Span<float> nominal = _nominal.AsSpan(b * PlanLength, PlanLength);
        nominal.Clear();
        for (int i = 0; i < n; i++)
        {
            float w = _weights[i] / total;
            if (w == 0) continue;
            ReadOnlySpan<float> c = _candidates.AsSpan((b * n + i) * PlanLength, PlanLength);
            for (int j = 0; j < PlanLength; j++) nominal[j] += w * c[j];
        }
    }
}
