using Planner.Environments.Mazes;

namespace Planner.Environments.Tasks;

/// <summary>
/// A goal-reaching task: start at (StartX, StartY) at rest, reach within <see cref="DefaultSuccessRadius"/> of
/// (GoalX, GoalY). <see cref="GeodesicCells"/> (BFS cell moves from start cell to goal cell) measures difficulty.
/// </summary>
/// <param name="StartX">Start x (world units).</param>
/// <param name="StartY">Start y (world units).</param>
/// <param name="GoalX">Goal x (world units).</param>
/// <param name="GoalY">Goal y (world units).</param>
/// <param name="GeodesicCells">Shortest 4-connected cell path length between the start and goal cells.</param>
public readonly record struct MazeTask(float StartX, float StartY, float GoalX, float GoalY, int GeodesicCells)
{
    /// <summary>Default success radius: half a cell.</summary>
    public const float DefaultSuccessRadius = 0.5f;

    /// <summary>The cell containing the start.</summary>
    public CellIndex StartCell => CellIndex.Containing(StartX, StartY);

    /// <summary>The cell containing the goal.</summary>
    public CellIndex GoalCell => CellIndex.Containing(GoalX, GoalY);

    /// <summary>Euclidean distance from (x, y) to the goal.</summary>
    public float DistanceToGoal(float x, float y)
    {
        float dx = x - GoalX, dy = y - GoalY;
        return MathF.Sqrt(dx * dx + dy * dy);
    }

    /// <summary>True when (x, y) is within <paramref name="radius"/> of the goal.</summary>
    public bool IsSuccess(float x, float y, float radius = DefaultSuccessRadius) => DistanceToGoal(x, y) <= radius;

    /// <summary>The task marked in the layout text by <c>S</c> and <c>G</c> (cell centres).</summary>
    /// <exception cref="ArgumentException">The layout lacks an S or a G.</exception>
    public static MazeTask FromLayout(MazeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Start is not CellIndex s || layout.Goal is not CellIndex g)
            throw new ArgumentException($"layout '{layout.Name}' does not mark both a start 'S' and a goal 'G'; sample tasks with TaskSampler instead.", nameof(layout));
        var (sx, sy) = s.Center;
        var (gx, gy) = g.Center;
        return new MazeTask(sx, sy, gx, gy, layout.GeodesicDistance(s, g));
    }
}
