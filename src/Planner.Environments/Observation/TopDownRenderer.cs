using Planner.Environments.Mazes;
using Planner.Environments.Physics;

namespace Planner.Environments.Observation;

/// <summary>
/// Renders the agent's top-down view: a square grayscale image, floats in [0, 1], row-major, pixel row 0 at the top
/// (world y grows downward, as in the layout text). Free space is <see cref="FreeIntensity"/>, walls (and the margin
/// around a non-square maze) <see cref="WallIntensity"/>, the agent an anti-aliased disc of intensity 1 (its radius is
/// the point's radius but at least <see cref="MinAgentRadiusPixels"/>). Walls are area-averaged once at construction;
/// each render copies that background and draws the disc: no allocation, thread-safe.
/// </summary>
public sealed class TopDownRenderer
{
    /// <summary>Intensity of free space.</summary>
    public const float FreeIntensity = 0f;

    /// <summary>Intensity of walls.</summary>
    public const float WallIntensity = 0.5f;

    /// <summary>Smallest agent radius in pixels, so the agent stays visible in big mazes.</summary>
    public const float MinAgentRadiusPixels = 1.5f;

    private const int Supersample = 4;
    private readonly float[] _background;
    private readonly float _scale, _offsetX, _offsetY, _agentRadius;

    /// <summary>Creates a renderer for a maze at <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
    public TopDownRenderer(PointMassMaze maze, int size = 64)
    {
        ArgumentNullException.ThrowIfNull(maze);
        Guard.AtLeast(size, 8, nameof(size));
        Maze = maze;
        Size = size;
        var layout = maze.Layout;
        _scale = (float)size / Math.Max(layout.Width, layout.Height);
        _offsetX = (size - layout.Width * _scale) / 2;
        _offsetY = (size - layout.Height * _scale) / 2;
        _agentRadius = Math.Max(maze.Options.Radius * _scale, MinAgentRadiusPixels);
        _background = BuildBackground(layout);
    }

    /// <summary>The dynamics whose layout is drawn.</summary>
    public PointMassMaze Maze { get; }

    /// <summary>Image side in pixels.</summary>
    public int Size { get; }

    /// <summary>Pixels per world unit.</summary>
    public float PixelsPerUnit => _scale;

    /// <summary>Floats per image (<c>Size * Size</c>).</summary>
    public int PixelCount => Size * Size;

    /// <summary>Renders N states <c>[N x 4]</c> into N images <c>[N x Size x Size]</c>.</summary>
    public void Render(ReadOnlySpan<float> states, Span<float> images)
    {
        if (states.Length % PointMassMaze.StateDim != 0)
            throw new ArgumentException($"states has {states.Length} elements; expected a multiple of {PointMassMaze.StateDim}.", nameof(states));
        int n = states.Length / PointMassMaze.StateDim;
        if (images.Length != n * PixelCount) Guard.Length(images.Length, n * PixelCount, nameof(images), $"[N={n} x {Size} x {Size}]");   // shape text only on failure: no allocation per call
        for (int i = 0; i < n; i++)
            RenderOne(states[i * PointMassMaze.StateDim], states[i * PointMassMaze.StateDim + 1], images.Slice(i * PixelCount, PixelCount));
    }

    private void RenderOne(float x, float y, Span<float> image)
    {
        _background.CopyTo(image);
        float cx = _offsetX + x * _scale, cy = _offsetY + y * _scale, rad = _agentRadius;
        int x0 = Math.Max(0, (int)MathF.Floor(cx - rad - 1)), x1 = Math.Min(Size - 1, (int)MathF.Ceiling(cx + rad + 1));
        int y0 = Math.Max(0, (int)MathF.Floor(cy - rad - 1)), y1 = Math.Min(Size - 1, (int)MathF.Ceiling(cy + rad + 1));
        for (int py = y0; py <= y1; py++)
        {
            float dy = py + 0.5f - cy;
            for (int px = x0; px <= x1; px++)
            {
                float dx = px + 0.5f - cx;
                float coverage = Math.Clamp(rad + 0.5f - MathF.Sqrt(dx * dx + dy * dy), 0f, 1f);
                if (coverage <= 0) continue;
                ref float p = ref image[py * Size + px];
                p += (1f - p) * coverage;
            }
        }
    }

    private float[] BuildBackground(MazeLayout layout)
    {
        var bg = new float[Size * Size];
        const float inv = 1f / (Supersample * Supersample);
        for (int py = 0; py < Size; py++)
            for (int px = 0; px < Size; px++)
            {
                int walls = 0;
                for (int sy = 0; sy < Supersample; sy++)
                    for (int sx = 0; sx < Supersample; sx++)
                    {
                        float wx = (px + (sx + 0.5f) / Supersample - _offsetX) / _scale;
                        float wy = (py + (sy + 0.5f) / Supersample - _offsetY) / _scale;
                        if (layout.IsWall((int)MathF.Floor(wx), (int)MathF.Floor(wy))) walls++;
                    }
                bg[py * Size + px] = FreeIntensity + (WallIntensity - FreeIntensity) * walls * inv;
            }
        return bg;
    }
}
