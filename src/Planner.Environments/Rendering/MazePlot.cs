using Planner.Data;
using Planner.Environments.Mazes;

namespace Planner.Environments.Rendering;

/// <summary>
/// A picture of a maze for reports: walls, trajectories (polylines in distinct palette colours), start, goal and
/// subgoal markers, and a text label. World coordinates (cells of 1 unit, y downward) are mapped to
/// <see cref="PixelsPerCell"/> pixels per unit. Draw in any order; call <see cref="SavePng"/> at the end.
/// </summary>
public sealed class MazePlot
{
    private int _nextColour;

    /// <summary>Creates a plot of <paramref name="layout"/> with walls drawn and free space white.</summary>
    public MazePlot(MazeLayout layout, int pixelsPerCell = 32)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Guard.AtLeast(pixelsPerCell, 4, nameof(pixelsPerCell));
        Layout = layout;
        PixelsPerCell = pixelsPerCell;
        Canvas = new RasterCanvas(layout.Width * pixelsPerCell, layout.Height * pixelsPerCell, Rgb.White);
        var grid = new Rgb(236, 236, 240);
        for (int r = 0; r < layout.Height; r++)
            for (int c = 0; c < layout.Width; c++)
            {
                if (layout.IsWall(c, r)) Canvas.FillRectangle(c * pixelsPerCell, r * pixelsPerCell, pixelsPerCell, pixelsPerCell, Rgb.Wall);
                else Canvas.DrawRectangle(c * pixelsPerCell, r * pixelsPerCell, pixelsPerCell, pixelsPerCell, grid);
            }
    }

    /// <summary>The maze drawn.</summary>
    public MazeLayout Layout { get; }

    /// <summary>Pixels per world unit (per cell).</summary>
    public int PixelsPerCell { get; }

    /// <summary>The raster, for extra drawing.</summary>
    public RasterCanvas Canvas { get; }

    /// <summary>Line width of trajectories in pixels.</summary>
    public float TrajectoryThickness => Math.Max(1.5f, PixelsPerCell / 12f);

    /// <summary>Pixel coordinates of world point (x, y).</summary>
    public (float X, float Y) ToPixels(float x, float y) => (x * PixelsPerCell, y * PixelsPerCell);

    /// <summary>
    /// Draws a trajectory through world points <c>[x0, y0, x1, y1, ...]</c>; without <paramref name="colour"/> the next
    /// palette colour is used. Returns the colour used (for a legend).
    /// </summary>
    public Rgb DrawTrajectory(ReadOnlySpan<float> xy, Rgb? colour = null, float? thickness = null)
    {
        if (xy.Length % 2 != 0) throw new ArgumentException($"xy has {xy.Length} elements; expected world points [x0, y0, x1, y1, ...].", nameof(xy));
        var c = colour ?? Rgb.FromPalette(_nextColour++);
        var pixels = new float[xy.Length];
        for (int i = 0; i < xy.Length; i++) pixels[i] = xy[i] * PixelsPerCell;
        Canvas.DrawPolyline(pixels, c, thickness ?? TrajectoryThickness);
        return c;
    }

    /// <summary>Draws the position tracks of the first <paramref name="maxEpisodes"/> episodes of a dataset (needs 2-D positions).</summary>
    public void DrawEpisodes(TrajectoryDataset data, int maxEpisodes = 10)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.PositionDim != 2)
            throw new ArgumentException($"the dataset has position_dim {data.PositionDim}; plotting needs 2-D positions.", nameof(data));
        int n = (data.Steps + 1) * 2;
        for (int e = 0; e < Math.Min(maxEpisodes, data.Episodes); e++)
        {
            var track = data.Positions.AsSpan(e * n, n);
            DrawTrajectory(track);
            DrawStart(track[0], track[1]);
        }
    }

    /// <summary>A green disc at the start.</summary>
    public void DrawStart(float x, float y)
    {
        var (px, py) = ToPixels(x, y);
        Canvas.FillCircle(px, py, PixelsPerCell * 0.18f, Rgb.StartGreen);
    }

    /// <summary>The goal: a red dot and a red ring of the success radius (world units).</summary>
    public void DrawGoal(float x, float y, float successRadius = 0.5f)
    {
        var (px, py) = ToPixels(x, y);
        Canvas.FillCircle(px, py, PixelsPerCell * 0.12f, Rgb.GoalRed);
        if (successRadius > 0) Canvas.DrawCircle(px, py, successRadius * PixelsPerCell, Rgb.GoalRed, Math.Max(1.5f, PixelsPerCell / 16f));
    }

    /// <summary>A subgoal: a ring with a small centre dot (orange unless <paramref name="colour"/> is given), optionally numbered.</summary>
    public void DrawSubgoal(float x, float y, Rgb? colour = null, int? number = null)
    {
        var c = colour ?? Rgb.SubgoalOrange;
        var (px, py) = ToPixels(x, y);
        Canvas.DrawCircle(px, py, PixelsPerCell * 0.2f, c, Math.Max(1.5f, PixelsPerCell / 16f));
        Canvas.FillCircle(px, py, Math.Max(1.5f, PixelsPerCell * 0.08f), c);
        if (number is int k)
        {
            int scale = Math.Max(1, PixelsPerCell / 24);
            Canvas.DrawText((int)(px + PixelsPerCell * 0.25f), (int)(py - PixelsPerCell * 0.25f - PixelFont.GlyphHeight * scale), k.ToString(System.Globalization.CultureInfo.InvariantCulture), c, scale);
        }
    }

    /// <summary>Text at pixel (x, y) (top-left), white on the wall colour by default, e.g. a title in the top wall row.</summary>
    public void DrawLabel(string text, int x = 4, int y = 4, Rgb? colour = null, int scale = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (scale <= 0) scale = Math.Max(1, PixelsPerCell / 16);
        Canvas.DrawText(x, y, text, colour ?? Rgb.White, scale);
    }

    /// <summary>Saves the plot as a PNG file (atomically).</summary>
    public void SavePng(string path) => Canvas.SavePng(path);
}
