using System.Numerics;

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
    private readonly float[] _stepScale, _low, _high; // per plan entry: this step's size x half-range, and the bounds
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
        _stepScale = new float[planLength];
        (_low, _high) = CemSampler.PlanBounds(bounds, planLength);
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
        for (int j = 0; j < _planLength; j++) _stepScale[j] = stepSize * _halfRange[j % _actionDim];

        for (int b = 0; b < _batch; b++)
        {
            if (!_active[b]) continue;
            for (int n = 0; n < _candidates; n++)
            {
                int row = b * _candidates + n;
                int offset = row * _planLength;
                ReadOnlySpan<float> g = gradients.Slice(offset, _planLength);
                if (!float.IsFinite(costs[row]) || Guard.FirstNonFinite(g) >= 0) continue;
                Update(candidates.Slice(offset, _planLength), g, _m.AsSpan(offset, _planLength), _v.AsSpan(offset, _planLength), b1, b2);
            }
        }
    }

    /// <summary>
    /// One candidate's step, element by element <c>m = b1 m + (1 - b1) g</c>, <c>v = b2 v + (1 - b2) g g</c>,
    /// <c>x = clamp(x - scale m / (sqrt(v) + 1e-8))</c>, vectorised with the same operations in the same order as the
    /// scalar tail (the gradient is finite here, so so are m, v and x).
    /// </summary>
    private void Update(Span<float> x, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float b1, float b2)
    {
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vb1 = new(b1), vc1 = new(1 - b1), vb2 = new(b2), vc2 = new(1 - b2), eps = new(1e-8f);
            for (; i + width <= x.Length; i += width)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = vb1 * new Vector<float>(m[i..]) + vc1 * gi;
                var vi = vb2 * new Vector<float>(v[i..]) + vc2 * gi * gi;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                var xi = new Vector<float>(x[i..]) - new Vector<float>(_stepScale.AsSpan(i)) * mi / (Vector.SquareRoot(vi) + eps);
                Vector.Min(Vector.Max(xi, new Vector<float>(_low.AsSpan(i))), new Vector<float>(_high.AsSpan(i))).CopyTo(x[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            float gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            x[i] = Math.Clamp(x[i] - _stepScale[i] * m[i] / (MathF.Sqrt(v[i]) + 1e-8f), _low[i], _high[i]);
        }
    }
}
