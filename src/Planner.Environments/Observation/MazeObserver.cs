using Planner.Environments.Physics;

namespace Planner.Environments.Observation;

/// <summary>
/// Turns states <c>[N x 4]</c> into observations <c>[N x Dim]</c> of one <see cref="ObservationKind"/>. Thread-safe and
/// allocation-free per call.
/// </summary>
public sealed class MazeObserver
{
    private readonly TopDownRenderer? _renderer;
    private readonly float _invWidth, _invHeight, _invSpeed;

    /// <summary>Creates an observer; <paramref name="imageSize"/> is used only for <see cref="ObservationKind.Pixels"/>.</summary>
    public MazeObserver(PointMassMaze maze, ObservationKind kind, int imageSize = 64)
    {
        ArgumentNullException.ThrowIfNull(maze);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, $"kind must be State or Pixels, got {kind}.");
        Maze = maze;
        Kind = kind;
        _invWidth = 1f / maze.Layout.Width;
        _invHeight = 1f / maze.Layout.Height;
        _invSpeed = 1f / maze.Options.MaxSpeed;
        if (kind == ObservationKind.Pixels) _renderer = new TopDownRenderer(maze, imageSize);
        Dim = kind == ObservationKind.Pixels ? _renderer!.PixelCount : PointMassMaze.StateDim;
        Shape = kind == ObservationKind.Pixels ? [imageSize, imageSize] : [PointMassMaze.StateDim];
    }

    /// <summary>The dynamics being observed.</summary>
    public PointMassMaze Maze { get; }

    /// <summary>State vector or pixels.</summary>
    public ObservationKind Kind { get; }

    /// <summary>Floats per observation: 4 for state, <c>size * size</c> for pixels.</summary>
    public int Dim { get; }

    /// <summary>Shape of one observation: <c>[4]</c> or <c>[size, size]</c>.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Observes N states <c>[N x 4]</c> into <c>[N x Dim]</c>.</summary>
    public void Observe(ReadOnlySpan<float> states, Span<float> observations)
    {
        if (_renderer is not null)
        {
            _renderer.Render(states, observations);
            return;
        }
        if (states.Length % PointMassMaze.StateDim != 0)
            throw new ArgumentException($"states has {states.Length} elements; expected a multiple of {PointMassMaze.StateDim}.", nameof(states));
        if (observations.Length != states.Length) Guard.Length(observations.Length, states.Length, nameof(observations), $"[N={states.Length / PointMassMaze.StateDim} x 4]");   // shape text only on failure: no allocation per call
        for (int i = 0; i < states.Length; i += PointMassMaze.StateDim)
        {
            observations[i] = states[i] * _invWidth;
            observations[i + 1] = states[i + 1] * _invHeight;
            observations[i + 2] = states[i + 2] * _invSpeed;
            observations[i + 3] = states[i + 3] * _invSpeed;
        }
    }
}
