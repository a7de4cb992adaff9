namespace Planner.Costs;

/// <summary>How distance to the goal is measured in latent space.</summary>
public enum DistanceKind
{
    /// <summary><c>||z - g||^2</c>.</summary>
    SquaredL2,

    /// <summary><c>||z - g||</c> (smoothed at 0 by a tiny epsilon).</summary>
    L2,

    /// <summary><c>sum |z - g|</c>.</summary>
    L1,

    /// <summary><c>1 - cos(z, g)</c>.</summary>
    Cosine,
}

/// <summary>
/// Distance from the predicted latents to the goal latent: weight <see cref="StepWeight"/> on steps 1..H-1 and
/// <see cref="TerminalWeight"/> on step H. With <see cref="Dimensions"/> set, only those latent coordinates count and
/// the goal has that many entries (a subgoal in a subspace).
/// </summary>
public sealed class GoalDistanceCost : CostTerm
{
    /// <summary>Creates the term.</summary>
    public GoalDistanceCost(DistanceKind kind = DistanceKind.SquaredL2, float stepWeight = 1f, float terminalWeight = 1f, int[]? dimensions = null)
    {
        Guard.NonNegative(stepWeight, nameof(stepWeight));
        Guard.NonNegative(terminalWeight, nameof(terminalWeight));
        Kind = kind;
        StepWeight = stepWeight;
        TerminalWeight = terminalWeight;
        Dimensions = dimensions is null ? null : (int[])dimensions.Clone();
    }

    /// <summary>The distance.</summary>
    public DistanceKind Kind { get; }

    /// <summary>Weight of steps 1..H-1.</summary>
    public float StepWeight { get; }

    /// <summary>Weight of the last step.</summary>
    public float TerminalWeight { get; }

    /// <summary>Latent coordinates compared with the goal; null: all.</summary>
    public IReadOnlyList<int>? Dimensions { get; }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        int compared = Dimensions?.Count ?? shape.StateDim;
        if (compared != shape.GoalDim)
            throw new ArgumentException($"goal distance compares {compared} latent coordinates but goals have {shape.GoalDim}; expected equal sizes.", "goals");
        if (Dimensions is not null)
            foreach (int d in Dimensions)
                if (d < 0 || d >= shape.StateDim)
                    throw new ArgumentOutOfRangeException("dimensions", d, $"dimension {d} is outside the latent [0, {shape.StateDim}).");
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int s = shape.StateDim, g = shape.GoalDim;
        bool wantGrad = !gradStates.IsEmpty;
        float total = 0;
        for (int t = 0; t < shape.Horizon; t++)
        {
            float w = t == shape.Horizon - 1 ? TerminalWeight : StepWeight;
            if (w == 0) continue;
            ReadOnlySpan<float> z = states.Slice(t * s, s);
            Span<float> gz = wantGrad ? gradStates.Slice(t * s, s) : default;
            total += w * Distance(z, goal[..g], gz, w);
        }
        return total;
    }

    private int Index(int i) => Dimensions is null ? i : Dimensions[i];

    /// <summary>The common case, every latent coordinate compared: vectorised, since planners call it for every candidate and step.</summary>
    private static float SquaredL2AllCoordinates(ReadOnlySpan<float> z, ReadOnlySpan<float> goal, Span<float> grad, float w)
    {
        int g = goal.Length, i = 0, width = System.Numerics.Vector<float>.Count;
        var sum = System.Numerics.Vector<float>.Zero;
        var twiceW = new System.Numerics.Vector<float>(w * 2);
        bool wantGrad = !grad.IsEmpty;
        for (; i + width <= g; i += width)
        {
            var diff = new System.Numerics.Vector<float>(z[i..]) - new System.Numerics.Vector<float>(goal[i..]);
            sum += diff * diff;
            if (wantGrad) (new System.Numerics.Vector<float>(grad[i..]) + twiceW * diff).CopyTo(grad[i..]);
        }
        float total = System.Numerics.Vector.Sum(sum);
        for (; i < g; i++)
        {
            float diff = z[i] - goal[i];
            total += diff * diff;
            if (wantGrad) grad[i] += w * 2 * diff;
        }
        return total;
    }

    private float Distance(ReadOnlySpan<float> z, ReadOnlySpan<float> goal, Span<float> grad, float w)
    {
        int g = goal.Length;
        bool wantGrad = !grad.IsEmpty;
        switch (Kind)
        {
            case DistanceKind.SquaredL2 when Dimensions is null:
                return SquaredL2AllCoordinates(z[..g], goal, grad, w);
            case DistanceKind.SquaredL2:
            {
                float sum = 0;
                for (int i = 0; i < g; i++)
                {
                    int k = Index(i);
                    float diff = z[k] - goal[i];
                    sum += diff * diff;
                    if (wantGrad) grad[k] += w * 2 * diff;
                }
                return sum;
            }
            case DistanceKind.L2:
            {
                float sum = 0;
                for (int i = 0; i < g; i++) { float diff = z[Index(i)] - goal[i]; sum += diff * diff; }
                float norm = MathF.Sqrt(sum + 1e-12f);
                if (wantGrad)
                    for (int i = 0; i < g; i++) { int k = Index(i); grad[k] += w * (z[k] - goal[i]) / norm; }
                return norm;
            }
            case DistanceKind.L1:
            {
                float sum = 0;
                for (int i = 0; i < g; i++)
                {
                    int k = Index(i);
                    float diff = z[k] - goal[i];
                    sum += MathF.Abs(diff);
                    if (wantGrad) grad[k] += w * MathF.Sign(diff);
                }
                return sum;
            }
            default:
            {
                float dot = 0, zz = 0, gg = 0;
                for (int i = 0; i < g; i++) { float zi = z[Index(i)]; dot += zi * goal[i]; zz += zi * zi; gg += goal[i] * goal[i]; }
                float nz = MathF.Sqrt(zz + 1e-12f), ng = MathF.Sqrt(gg + 1e-12f);
                float cos = dot / (nz * ng);
                if (wantGrad)
                    for (int i = 0; i < g; i++)
                    {
                        int k = Index(i);
                        // d(1 - cos)/dz = -(g / (|z||g|) - cos * z / |z|^2)
                        grad[k] += -w * (goal[i] / (nz * ng) - cos * z[k] / (nz * nz));
                    }
                return 1 - cos;
            }
        }
    }
}
