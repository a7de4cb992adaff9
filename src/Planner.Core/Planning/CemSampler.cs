using Planner.Numerics;

namespace Planner.Planning;

/// <summary>
/// The cross-entropy method's sampling distribution per problem: a diagonal Gaussian over the plan, sampled into the
/// bounds, refit to the elites with momentum and a std floor. Used by the CEM and hybrid planners.
/// </summary>
internal sealed class CemSampler
{
    private readonly CemOptions _options;
    private readonly ActionBounds _bounds;
    private readonly int _batch, _planLength, _actionDim;
    private readonly float[] _mean, _std;
    private readonly int[] _elite;
    private readonly float[] _low, _high; // the bounds repeated over the plan, for whole-plan vector clamps
    private readonly float[] _noise;      // [(N - 1) x H x A]: one problem's draws
    private readonly GaussianBlock _gaussian;

    public CemSampler(CemOptions options, ActionBounds bounds, int batch, int candidates, int planLength)
    {
        _options = options;
        _bounds = bounds;
        _batch = batch;
        _planLength = planLength;
        _actionDim = bounds.Dimension;
        _mean = new float[batch * planLength];
        _std = new float[batch * planLength];
        _elite = new int[Math.Min(options.Elites, candidates)];
        (_low, _high) = PlanBounds(bounds, planLength);
        _noise = new float[Math.Max(candidates - 1, 0) * planLength];
        _gaussian = new GaussianBlock(_noise.Length);
    }

    /// <summary>Lower and upper bounds for every entry of a plan <c>[H x A]</c>.</summary>
    internal static (float[] Low, float[] High) PlanBounds(ActionBounds bounds, int planLength)
    {
        var low = new float[planLength];
        var high = new float[planLength];
        for (int j = 0; j < planLength; j++)
        {
            low[j] = bounds.Low[j % bounds.Dimension];
            high[j] = bounds.High[j % bounds.Dimension];
        }
        return (low, high);
    }

    /// <summary><c>plan = clamp(plan)</c> into the bounds, a whole plan at a time (the values are finite).</summary>
    internal static void ClampPlan(Span<float> plan, float[] low, float[] high)
    {
        System.Numerics.Tensors.TensorPrimitives.Max(plan, low, plan);
        System.Numerics.Tensors.TensorPrimitives.Min(plan, high, plan);
    }

    public void Initialize(ReadOnlySpan<float> nominal)
    {
        nominal.CopyTo(_mean);
        for (int i = 0; i < _std.Length; i++) _std[i] = _options.InitialStd * _bounds.Scale(i % _actionDim) * 0.5f;
    }

    /// <summary>
    /// Candidate 0 of each problem is the mean itself, so the distribution's centre is always scored; the others are
    /// <c>clamp(mean + std * noise)</c> with the problem's noise drawn as one block.
    /// </summary>
    public void Sample(Span<float> candidates, int n, DeterministicRandom[] random)
    {
        for (int b = 0; b < _batch; b++)
        {
            ReadOnlySpan<float> mean = _mean.AsSpan(b * _planLength, _planLength);
            ReadOnlySpan<float> std = _std.AsSpan(b * _planLength, _planLength);
            Span<float> noise = _noise.AsSpan(0, (n - 1) * _planLength);
            _gaussian.Fill(ref random[b], noise);
            for (int i = 0; i < n; i++)
            {
                Span<float> c = candidates.Slice((b * n + i) * _planLength, _planLength);
                if (i == 0) mean.CopyTo(c);
                else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(noise.Slice((i - 1) * _planLength, _planLength), std, mean, c);
                ClampPlan(c, _low, _high);
            }
        }
    }

    /// <summary>Refits mean and std of each problem to its elites (lowest finite costs); problems with no finite cost keep theirs.</summary>
    public void Refit(ReadOnlySpan<float> candidates, ReadOnlySpan<float> costs, int n)
    {
        float momentum = _options.Momentum;
        for (int b = 0; b < _batch; b++)
        {
            int count = SelectLowest(costs.Slice(b * n, n), _elite);
            if (count == 0) continue;
            Span<float> mean = _mean.AsSpan(b * _planLength, _planLength);
            Span<float> std = _std.AsSpan(b * _planLength, _planLength);
            for (int j = 0; j < _planLength; j++)
            {
                float sum = 0, sumSq = 0;
                for (int e = 0; e < count; e++)
                {
                    float x = candidates[(b * n + _elite[e]) * _planLength + j];
                    sum += x;
                    sumSq += x * x;
                }
                float mu = sum / count;
                float sigma = MathF.Sqrt(MathF.Max(sumSq / count - mu * mu, 0f));
                float floor = _options.MinStd * _bounds.Scale(j % _actionDim) * 0.5f;
                mean[j] = momentum * mean[j] + (1 - momentum) * mu;
                std[j] = MathF.Max(momentum * std[j] + (1 - momentum) * sigma, floor);
            }
        }
    }

    /// <summary>Indices of the lowest finite costs, sorted ascending, by insertion (k is small); returns how many were found.</summary>
    internal static int SelectLowest(ReadOnlySpan<float> costs, Span<int> result)
    {
        int count = 0;
        for (int i = 0; i < costs.Length; i++)
        {
            float c = costs[i];
            if (!float.IsFinite(c)) continue;
            if (count == result.Length && c >= costs[result[count - 1]]) continue;
            int pos = count < result.Length ? count++ : count - 1;
            while (pos > 0 && costs[result[pos - 1]] > c) { result[pos] = result[pos - 1]; pos--; }
            result[pos] = i;
        }
        return count;
    }
}
