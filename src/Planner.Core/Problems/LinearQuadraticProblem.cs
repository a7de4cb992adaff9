using Planner.Models;
using Planner.Numerics;

namespace Planner.Problems;

/// <summary>
/// A linear system <c>x' = A x + B u</c> with cost <c>sum_{t=1..H} ||x_t||^2 + r sum_{t=0..H-1} ||u_t||^2</c>, whose
/// unconstrained optimum has a closed form: stacking the actions into U, the states are <c>X = Phi x0 + Gamma U</c>, so
/// the cost is quadratic in U and the optimum solves <c>(Gamma' Gamma + r I) U = -Gamma' Phi x0</c> (computed in double).
/// </summary>
public sealed class LinearQuadraticProblem
{
    private readonly double[] _a, _b;

    /// <summary>Creates the problem from matrices (row-major A <c>[S x S]</c>, B <c>[S x A]</c>) and the action weight r.</summary>
    public LinearQuadraticProblem(LinearDynamics dynamics, float actionWeight)
    {
        ArgumentNullException.ThrowIfNull(dynamics);
        Guard.Positive(actionWeight, nameof(actionWeight));
        Dynamics = dynamics;
        ActionWeight = actionWeight;
        _a = Array.ConvertAll(dynamics.A.ToArray(), v => (double)v);
        _b = Array.ConvertAll(dynamics.B.ToArray(), v => (double)v);
    }

    /// <summary>
    /// A random non-expansive system from a seed: <c>A = I + 0.2 N(0,1)/sqrt(S)</c> divided by its spectral norm when that
    /// exceeds 1 (a damped physical system; unstable ones make the horizon's cost explode), <c>B = N(0,1)/sqrt(S)</c>.
    /// </summary>
    public static LinearQuadraticProblem Random(int stateDim, int actionDim, int seed, float actionWeight = 1e-3f)
    {
        Guard.AtLeast(stateDim, 1, nameof(stateDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        var rng = new DeterministicRandom((ulong)(uint)seed + 0x1A1AUL);
        var a = new float[stateDim * stateDim];
        var b = new float[stateDim * actionDim];
        float scale = 1f / MathF.Sqrt(stateDim);
        for (int i = 0; i < stateDim; i++)
            for (int j = 0; j < stateDim; j++)
                a[i * stateDim + j] = (i == j ? 1f : 0f) + 0.2f * scale * rng.NextGaussian();
        for (int i = 0; i < b.Length; i++) b[i] = scale * rng.NextGaussian();
        double norm = SpectralNorm(a, stateDim);
        if (norm > 1)
            for (int i = 0; i < a.Length; i++) a[i] = (float)(a[i] / norm);
        return new LinearQuadraticProblem(new LinearDynamics(a, b, stateDim, actionDim), actionWeight);
    }

    /// <summary>The dynamics.</summary>
    public LinearDynamics Dynamics { get; }

    /// <summary>The action weight r.</summary>
    public float ActionWeight { get; }

    /// <summary>The optimal unconstrained cost from <paramref name="x0"/> over <paramref name="horizon"/> steps; optimal actions <c>[H x A]</c> into <paramref name="actions"/> if not empty.</summary>
    public double OptimalCost(ReadOnlySpan<float> x0, int horizon, Span<float> actions = default)
    {
        int s = Dynamics.StateDim, m = Dynamics.ActionDim, n = horizon * m;
        Guard.AtLeast(horizon, 1, nameof(horizon));
        Guard.Length(x0.Length, s, nameof(x0), $"[S={s}]");
        // Gamma[t][k] = A^(t-k) B for k <= t (block row t gives x_{t+1}); free response f_t = A^(t+1) x0.
        var gamma = new double[horizon * s * n];
        var free = new double[horizon * s];
        var x = new double[s];
        for (int i = 0; i < s; i++) x[i] = x0[i];
        var power = new double[s * m]; // A^j B
        for (int k = 0; k < horizon; k++)
        {
            Array.Copy(_b, power, power.Length);
            for (int t = k; t < horizon; t++)
            {
                for (int i = 0; i < s; i++)
                    for (int j = 0; j < m; j++)
                        gamma[(t * s + i) * n + k * m + j] = power[i * m + j];
                power = MatMul(_a, power, s, s, m);
            }
        }
        for (int t = 0; t < horizon; t++)
        {
            x = MatMul(_a, x, s, s, 1);
            Array.Copy(x, 0, free, t * s, s);
        }
        // Normal equations: (G'G + r I) U = -G' f.
        var h = new double[n * n];
        var g = new double[n];
        int rows = horizon * s;
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < n; i++)
            {
                double gri = gamma[r * n + i];
                if (gri == 0) continue;
                g[i] -= gri * free[r];
                for (int j = 0; j < n; j++) h[i * n + j] += gri * gamma[r * n + j];
            }
        }
        for (int i = 0; i < n; i++) h[i * n + i] += ActionWeight;
        double[] u = CholeskySolve(h, g, n);
        double cost = 0;
        for (int r = 0; r < rows; r++)
        {
            double xr = free[r];
            for (int j = 0; j < n; j++) xr += gamma[r * n + j] * u[j];
            cost += xr * xr;
        }
        for (int j = 0; j < n; j++) cost += ActionWeight * u[j] * u[j];
        if (!actions.IsEmpty)
        {
            Guard.Length(actions.Length, n, nameof(actions), $"[H={horizon} x A={m}]");
            for (int j = 0; j < n; j++) actions[j] = (float)u[j];
        }
        return cost;
    }

    /// <summary>The cost of a given action sequence <c>[H x A]</c> from <paramref name="x0"/>, in double.</summary>
    public double Cost(ReadOnlySpan<float> x0, ReadOnlySpan<float> actions, int horizon)
    {
        int s = Dynamics.StateDim, m = Dynamics.ActionDim;
        var x = new double[s];
        for (int i = 0; i < s; i++) x[i] = x0[i];
        double cost = 0;
        for (int t = 0; t < horizon; t++)
        {
            var next = new double[s];
            for (int i = 0; i < s; i++)
            {
                double v = 0;
                for (int j = 0; j < s; j++) v += _a[i * s + j] * x[j];
                for (int j = 0; j < m; j++) v += _b[i * m + j] * actions[t * m + j];
                next[i] = v;
                cost += v * v;
            }
            for (int j = 0; j < m; j++) cost += ActionWeight * actions[t * m + j] * (double)actions[t * m + j];
            x = next;
        }
        return cost;
    }

    /// <summary>Largest singular value by power iteration on <c>A' A</c>.</summary>
    private static double SpectralNorm(float[] a, int n)
    {
        var v = new double[n];
        Array.Fill(v, 1.0 / Math.Sqrt(n));
        double sigma = 0;
        for (int it = 0; it < 200; it++)
        {
            var av = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) av[i] += a[i * n + j] * v[j];
            var atav = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) atav[j] += a[i * n + j] * av[i];
            double len = Math.Sqrt(atav.Sum(x => x * x));
            if (len == 0) return 0;
            for (int i = 0; i < n; i++) v[i] = atav[i] / len;
            sigma = Math.Sqrt(len);
        }
        return sigma;
    }

    private static double[] MatMul(double[] left, double[] right, int n, int k, int m)
    {
        var result = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < k; p++)
            {
                double l = left[i * k + p];
                for (int j = 0; j < m; j++) result[i * m + j] += l * right[p * m + j];
            }
        return result;
    }

    private static double[] CholeskySolve(double[] h, double[] g, int n)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = h[i * n + j];
                for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = i == j ? Math.Sqrt(sum) : sum / l[j * n + j];
            }
        }
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = g[i];
            for (int k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
            y[i] = sum / l[i * n + i];
        }
        var u = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) sum -= l[k * n + i] * u[k];
            u[i] = sum / l[i * n + i];
        }
        return u;
    }
}
