namespace Planner.Control;

/// <summary>
/// Turns a batch of observations into planner-ready latents, whatever they hold: non-finite observations either throw
/// (naming the element) or mark the robot invalid, and invalid robots plan from their last good latent. Shared by the
/// flat and hierarchical controllers.
/// </summary>
public sealed class ObservationGate
{
    private readonly IEncoder _encoder;
    private readonly InvalidObservationPolicy _policy;
    private readonly int _batch;
    private readonly float[] _lastGood;
    private readonly bool[] _hasLatent;

    /// <summary>Creates a gate for <paramref name="batch"/> robots.</summary>
    public ObservationGate(IEncoder encoder, InvalidObservationPolicy policy, int batch)
    {
        _encoder = encoder;
        _policy = policy;
        _batch = batch;
        Latents = new float[batch * encoder.LatentDim];
        _lastGood = new float[Latents.Length];
        Valid = new bool[batch];
        _hasLatent = new bool[batch];
    }

    /// <summary>Latents of the last call, <c>[B x S]</c>, always finite.</summary>
    public float[] Latents { get; }

    /// <summary>Which robots had a valid observation and latent in the last call.</summary>
    public bool[] Valid { get; }

    /// <summary>True when the robot has ever had a valid latent since the last reset.</summary>
    public bool HasLatent(int robot) => _hasLatent[robot];

    /// <summary>Validates and encodes; returns why (if at all) some robot is degraded.</summary>
    public DegradedReason Encode(ReadOnlySpan<float> observations)
    {
        int o = _encoder.ObservationDim, s = _encoder.LatentDim;
        Guard.Length(observations.Length, _batch * o, nameof(observations), $"[B={_batch} x O={o}]");
        var reason = DegradedReason.None;
        for (int b = 0; b < _batch; b++)
        {
            int bad = Guard.FirstNonFinite(observations.Slice(b * o, o));
            Valid[b] = bad < 0;
            if (bad < 0) continue;
            if (_policy == InvalidObservationPolicy.Throw)
                throw new ArgumentException($"observations[{b * o + bad}] (robot {b}) is {observations[b * o + bad]}; expected a finite number.", nameof(observations));
            reason = DegradedReason.InvalidObservation;
        }
        _encoder.Encode(observations, Latents, _batch);
        for (int b = 0; b < _batch; b++)
        {
            Span<float> z = Latents.AsSpan(b * s, s);
            if (Valid[b] && Guard.FirstNonFinite(z) >= 0)
            {
                Valid[b] = false;
                if (reason == DegradedReason.None) reason = DegradedReason.InvalidLatent;
            }
            if (Valid[b]) { z.CopyTo(_lastGood.AsSpan(b * s, s)); _hasLatent[b] = true; }
            else if (_hasLatent[b]) _lastGood.AsSpan(b * s, s).CopyTo(z);
            else z.Clear();
        }
        return reason;
    }

    /// <summary>Encodes goal observations <c>[B x O]</c> into <paramref name="goals"/>, throwing on non-finite input or output.</summary>
    public void EncodeGoals(ReadOnlySpan<float> goalObservations, Span<float> goals)
    {
        Guard.Length(goalObservations.Length, _batch * _encoder.ObservationDim, nameof(goalObservations), $"[B={_batch} x O={_encoder.ObservationDim}]");
        Guard.Finite(goalObservations, nameof(goalObservations));
        _encoder.Encode(goalObservations, goals, _batch);
        int bad = Guard.FirstNonFinite(goals);
        if (bad >= 0) throw new ArgumentException($"the encoder mapped goalObservations to a non-finite latent (element {bad}).", nameof(goalObservations));
    }

    /// <summary>Forgets the last good latents.</summary>
    public void Reset() => Array.Clear(_hasLatent);
}
