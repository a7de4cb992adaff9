namespace Planner.Environments.Mazes;

/// <summary>A grid cell: <see cref="Column"/> along x, <see cref="Row"/> along y (row 0 is the first text line).</summary>
/// <param name="Column">0-based column (x).</param>
/// <param name="Row">0-based row (y).</param>
public readonly record struct CellIndex(int Column, int Row)
{
    /// <summary>The cell's centre in world units (cells are 1 unit wide).</summary>
    public (float X, float Y) Center => (Column + 0.5f, Row + 0.5f);

    /// <summary>The cell containing the world point (x, y).</summary>
    public static CellIndex Containing(float x, float y) => new((int)MathF.Floor(x), (int)MathF.Floor(y));

    /// <inheritdoc/>
    public override string ToString() => $"(col {Column}, row {Row})";
}
