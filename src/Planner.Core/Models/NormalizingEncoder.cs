using Planner.Checkpoints;

namespace Planner.Models;

/// <summary>Applies the training data's observation normalisation before an encoder. Thread-safe; no allocation per call once warm.</summary>
public sealed class NormalizingEncoder : IEncoder
{
    [ThreadStatic] private static float[]? t_buffer;
    private readonly IEncoder _inner;
    private readonly ObservationNormalization _normalization;

    /// <summary>Wraps <paramref name="inner"/>; the normalisation must match its observation size.</summary>
    public NormalizingEncoder(IEncoder inner, ObservationNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(normalization);
        normalization.Validate(inner.ObservationDim);
        _inner = inner;
        _normalization = normalization;
    }

    /// <inheritdoc />
    public int ObservationDim => _inner.ObservationDim;

    /// <inheritdoc />
    public int LatentDim => _inner.LatentDim;

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows)
    {
        int n = rows * ObservationDim;
        if (t_buffer is null || t_buffer.Length < n) t_buffer = new float[n];
        Span<float> normalized = t_buffer.AsSpan(0, n);
        _normalization.Apply(observations[..n], normalized, ObservationDim);
        _inner.Encode(normalized, latents, rows);
    }
}
