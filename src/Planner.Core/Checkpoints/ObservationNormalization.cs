namespace Planner.Checkpoints;

/// <summary>
/// Per-feature observation normalisation <c>(o - mean) / std</c> computed from training data. <see cref="Mean"/> and
/// <see cref="Std"/> have length O (one per feature) or 1 (one shared value, used for images).
/// </summary>
/// <param name="Mean">Means, length O or 1.</param>
/// <param name="Std">Standard deviations (> 0), length O or 1.</param>
public sealed record ObservationNormalization(float[] Mean, float[] Std)
{
    /// <summary>Smallest std kept, so a constant feature (a wall pixel) maps to 0 instead of dividing by zero.</summary>
    public const float MinStd = 1e-3f;

    /// <summary>Throws unless both arrays have length 1 or <paramref name="observationDim"/>, the same length, finite values and std > 0.</summary>
    public void Validate(int observationDim)
    {
        ArgumentNullException.ThrowIfNull(Mean);
        ArgumentNullException.ThrowIfNull(Std);
        if (Mean.Length != Std.Length || (Mean.Length != 1 && Mean.Length != observationDim))
            throw new ArgumentException($"normalization has {Mean.Length} means and {Std.Length} stds; expected both 1 or both O = {observationDim}.", nameof(Mean));
        Guard.Finite(Mean, nameof(Mean));
        Guard.Finite(Std, nameof(Std));
        for (int i = 0; i < Std.Length; i++)
            if (!(Std[i] > 0)) throw new ArgumentException($"Std[{i}] is {Std[i]}; expected > 0.", nameof(Std));
    }

    /// <summary>Normalises <c>[rows x O]</c> observations into <paramref name="destination"/> (may be the same memory).</summary>
    public void Apply(ReadOnlySpan<float> observations, Span<float> destination, int observationDim)
    {
        Guard.AtLeast(observationDim, 1, nameof(observationDim));
        Guard.Length(destination.Length, observations.Length, nameof(destination), "the length of observations");
        if (observations.Length % observationDim != 0)
            throw new ArgumentException($"observations has {observations.Length} values, not a multiple of O = {observationDim}.", nameof(observations));
        bool shared = Mean.Length == 1;
        for (int i = 0; i < observations.Length; i++)
        {
            int f = shared ? 0 : i % observationDim;
            destination[i] = (observations[i] - Mean[f]) / Std[f];
        }
    }

    /// <summary>
    /// Statistics of <c>[rows x O]</c> data: per feature, or pooled over all features when <paramref name="shared"/>
    /// (images). Computed in double precision; stds below <see cref="MinStd"/> are raised to it.
    /// </summary>
    public static ObservationNormalization Compute(ReadOnlySpan<float> observations, int observationDim, bool shared)
    {
        Guard.AtLeast(observationDim, 1, nameof(observationDim));
        if (observations.Length == 0 || observations.Length % observationDim != 0)
            throw new ArgumentException($"observations has {observations.Length} values; expected a positive multiple of O = {observationDim}.", nameof(observations));
        int dims = shared ? 1 : observationDim;
        var sum = new double[dims];
        var sumSq = new double[dims];
        for (int i = 0; i < observations.Length; i++)
        {
            int f = shared ? 0 : i % observationDim;
            double v = observations[i];
            sum[f] += v;
            sumSq[f] += v * v;
        }
        double n = (double)observations.Length / (shared ? 1 : observationDim);
        var mean = new float[dims];
        var std = new float[dims];
        for (int f = 0; f < dims; f++)
        {
            double m = sum[f] / n;
            double var = Math.Max(0, sumSq[f] / n - m * m);
            mean[f] = (float)m;
            std[f] = Math.Max(MinStd, (float)Math.Sqrt(var));
        }
        return new ObservationNormalization(mean, std);
    }
}
