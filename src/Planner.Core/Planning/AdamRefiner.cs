namespace Planner.Planning;

/// <summary>
/// Projected Adam over a population of candidate plans <c>[B x M x H x A]</c>: one step per call, then each action is
/// projected back into the box bounds. Per-problem convergence freezes problems that stopped improving. Used by the
/// gradient and hybrid planners.
/// </summary>
internal sealed class AdamRefiner
{
    private readonly GradientOptions _options;
    private readonly ActionBounds _bounds;
    private readonly int _batch, _candidates, _planLength, _actionDim;
    private readonly float[] _m, _v;
    private readonly float[] _history; // [B x (Patience + 1)] best cost ring
    private readonly bool[] _active;
    private readonly float[] _halfRange; // step sizes are relative to each dimension's range
    private int _step;

    public AdamRefiner(GradientOptions options, ActionBounds bounds, int batch, int candidates, int planLength)
    {
        _options = options;
        _bounds = bounds;
        _batch = batch;
        _candidates = candidates;
        _planLength = planLength;
        _actionDim = bounds.Dimension;
        _m = new float[batch * candidates * planLength];
        _v = new float[_m.Length];
        _history = new float[batch * (options.Patience + 1)];
        _active = new bool[batch];
        _halfRange = new float[_actionDim];
        for (int d = 0; d < _actionDim; d++) _halfRange[d] = bounds.Scale(d) * 0.5f;
    }

    public ReadOnlySpan<bool> Active => _active;

    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        _history.AsSpan().Fill(float.PositiveInfinity);
        _active.AsSpan().Fill(true);
        _step = 0;
    }

    /// <summary>Records each problem's best cost after an evaluation; returns true when every problem has converged.</summary>
    public bool UpdateConvergence(ReadOnlySpan<float> bestCost, int iteration)
    {
        int window = _options.Patience + 1;
        bool all = true;
        for (int b = 0; b < _batch; b++)
        {
            Span<float> ring = _history.AsSpan(b * window, window);
            ring[iteration % window] = bestCost[b];
            if (_active[b] && _options.ConvergenceTolerance > 0 && iteration >= _options.Patience)
            {
                float old = ring[(iteration + 1) % window]; // the value Patience iterations ago
                float now = bestCost[b];
                if (float.IsFinite(old) && float.IsFinite(now) && old - now <= _options.ConvergenceTolerance * MathF.Max(MathF.Abs(old), 1e-12f))
                    _active[b] = false;
            }
            all &= !_active[b];
        }
        return all;
    }

    /// <summary>One projected Adam step on every candidate of every active problem. Non-finite gradients skip that candidate.</summary>
    public void Step(Span<float> candidates, ReadOnlySpan<float> gradients, ReadOnlySpan<float> costs, int iteration, int iterations)
    {
        _step++;
        float progress = iterations > 1 ? (float)iteration / (iterations - 1) : 1f;
        float fraction = _options.FinalLearningRateFraction;
        float lr = _options.LearningRate * (fraction + (1 - fraction) * 0.5f * (1 + MathF.Cos(MathF.PI * progress)));
        float b1 = _options.Beta1, b2 = _options.Beta2;
        float c1 = 1 - MathF.Pow(b1, _step), c2 = 1 - MathF.Pow(b2, _step);
        float stepSize = lr * MathF.Sqrt(c2) / c1;
        ReadOnlySpan<float> low = _bounds.Low, high = _bounds.High;

        for (int b = 0; b < _batch; b++)
        {
            if (!_active[b]) continue;
            for (int n = 0; n < _candidates; n++)
            {
                int row = b * _candidates + n;
                int offset = row * _planLength;
                ReadOnlySpan<float> g = gradients.Slice(offset, _planLength);
                if (!float.IsFinite(costs[row]) || Guard.FirstNonFinite(g) >= 0) continue;
                Span<float> x = candidates.Slice(offset, _planLength);
                Span<float> m = _m.AsSpan(offset, _planLength);
                Span<float> v = _v.AsSpan(offset, _planLength);
                for (int i = 0; i < _planLength; i++)
                {
                    float gi = g[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    int d = i % _actionDim;
                    x[i] = Math.Clamp(x[i] - stepSize * _halfRange[d] * m[i] / (MathF.Sqrt(v[i]) + 1e-8f), low[d], high[d]);
                }
            }
        }
    }
}
