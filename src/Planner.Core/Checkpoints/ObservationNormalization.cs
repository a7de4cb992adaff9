namespace Planner.Checkpoints;

/// <summary>
/// Per-feature observation normalisation <c>(o - mean) / std</c> computed from training data. <see cref="Mean"/> and
/// <see cref="Std"/> each have length O (one per feature) or 1 (one shared value). Images use a per-pixel mean (which
/// removes the static maze, leaving what moves) and one shared std (so rarely lit pixels are not blown up).
/// </summary>
/// <param name="Mean">Means, length O or 1.</param>
/// <param name="Std">Standard deviations (> 0), length O or 1.</param>
public sealed record ObservationNormalization(float[] Mean, float[] Std)
{
    /// <summary>Smallest std kept, so a constant feature (a wall pixel) maps to 0 instead of dividing by zero.</summary>
    public const float MinStd = 1e-3f;

    /// <summary>Throws unless each array has length 1 or <paramref name="observationDim"/>, finite values, and std > 0.</summary>
    public void Validate(int observationDim)
    {
        ArgumentNullException.ThrowIfNull(Mean);
        ArgumentNullException.ThrowIfNull(Std);
        if ((Mean.Length != 1 && Mean.Length != observationDim) || (Std.Length != 1 && Std.Length != observationDim))
            throw new ArgumentException($"normalization has {Mean.Length} means and {Std.Length} stds; expected 1 or O = {observationDim} of each.", nameof(Mean));
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
        bool sharedMean = Mean.Length == 1, sharedStd = Std.Length == 1;
        for (int i = 0; i < observations.Length; i++)
        {
            int f = i % observationDim;
            destination[i] = (observations[i] - Mean[sharedMean ? 0 : f]) / Std[sharedStd ? 0 : f];
        }
    }

    /// <summary>
    /// Statistics of <c>[rows x O]</c> data: a mean per feature, and a std per feature or, when
    /// <paramref name="sharedStd"/> (images), one std pooled over all features (root of the mean per-feature variance).
    /// Computed in double precision; stds below <see cref="MinStd"/> are raised to it.
    /// </summary>
    public static ObservationNormalization Compute(ReadOnlySpan<float> observations, int observationDim, bool sharedStd)
    {
        Guard.AtLeast(observationDim, 1, nameof(observationDim));
        if (observations.Length == 0 || observations.Length % observationDim != 0)
            throw new ArgumentException($"observations has {observations.Length} values; expected a positive multiple of O = {observationDim}.", nameof(observations));
        var sum = new double[observationDim];
        var sumSq = new double[observationDim];
        for (int i = 0; i < observations.Length; i++)
        {
            int f = i % observationDim;
            double v = observations[i];
            sum[f] += v;
            sumSq[f] += v * v;
        }
        double n = (double)observations.Length / observationDim;
        var mean = new float[observationDim];
        var variance = new double[observationDim];
        double pooled = 0;
        for (int f = 0; f < observationDim; f++)
        {
            double m = sum[f] / n;
            mean[f] = (float)m;
            variance[f] = Math.Max(0, sumSq[f] / n - m * m);
            pooled += variance[f] / observationDim;
        }
        var std = new float[sharedStd ? 1 : observationDim];
        for (int f = 0; f < std.Length; f++)
            std[f] = Math.Max(MinStd, (float)Math.Sqrt(sharedStd ? pooled : variance[f]));
        return new ObservationNormalization(mean, std);
    }
}
