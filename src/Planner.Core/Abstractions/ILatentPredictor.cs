namespace Planner;

/// <summary>
/// Rolls a world model forward for given action sequences and returns the predicted latents. The hierarchy uses it to
/// turn a level's best plan into subgoals for the level below; plots use it to draw imagined trajectories.
/// </summary>
public interface ILatentPredictor
{
    /// <summary>Latent size S.</summary>
    int StateDim { get; }

    /// <summary>Action size A.</summary>
    int ActionDim { get; }

    /// <summary>Predicts <paramref name="states"/> <c>[B x H x S]</c> (z_1..z_H) from <paramref name="initial"/> <c>[B x S]</c> and <paramref name="actions"/> <c>[B x H x A]</c>.</summary>
    void Predict(ReadOnlySpan<float> initial, ReadOnlySpan<float> actions, int batch, int horizon, Span<float> states);
}
