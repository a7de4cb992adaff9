using Planner.Environments.Mazes;
using Planner.Environments.Physics;
using Planner.Numerics;

namespace Planner.Environments.Tasks;

/// <summary>Settings for <see cref="TaskSampler.Sample"/>.</summary>
public sealed record TaskSamplingOptions
{
    /// <summary>Number of tasks.</summary>
    public int Count { get; init; } = 100;

    /// <summary>Seed; the same seed, layout and options give the same tasks.</summary>
    public ulong Seed { get; init; }

    /// <summary>Smallest geodesic start-goal distance in cell moves (inclusive).</summary>
    public int MinCells { get; init; } = 1;

    /// <summary>Largest geodesic start-goal distance in cell moves (inclusive).</summary>
    public int MaxCells { get; init; } = int.MaxValue;

    /// <summary>Start offset inside its cell, as a fraction of the largest legal offset (0 = cell centre).</summary>
    public float StartJitter { get; init; } = 1f;

    /// <summary>Goal offset inside its cell, as a fraction of the largest legal offset (0 = cell centre).</summary>
    public float GoalJitter { get; init; }
}

/// <summary>Samples goal-reaching tasks in free space, binned by geodesic (BFS) cell distance.</summary>
public static class TaskSampler
{
    /// <summary>
    /// Samples <see cref="TaskSamplingOptions.Count"/> tasks whose start and goal cells are connected and
    /// <see cref="TaskSamplingOptions.MinCells"/> to <see cref="TaskSamplingOptions.MaxCells"/> cell moves apart:
    /// a start cell uniformly among the cells that have such a goal, then a goal cell uniformly among its matches.
    /// </summary>
    /// <exception cref="ArgumentException">No pair of cells in the layout is that far apart; the message gives the layout's largest distance.</exception>
    public static MazeTask[] Sample(PointMassMaze maze, TaskSamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(maze);
        ArgumentNullException.ThrowIfNull(options);
        Guard.AtLeast(options.Count, 0, nameof(options.Count));
        Guard.AtLeast(options.MinCells, 0, nameof(options.MinCells));
        Guard.AtLeast(options.MaxCells, options.MinCells, nameof(options.MaxCells));
        Guard.InRange(options.StartJitter, 0, 1, nameof(options.StartJitter));
        Guard.InRange(options.GoalJitter, 0, 1, nameof(options.GoalJitter));
        var layout = maze.Layout;
        var free = layout.FreeCells;
        var field = new int[layout.Width * layout.Height];

        var starts = new List<CellIndex>();
        int longest = 0;
        foreach (var cell in free)
        {
            layout.DistancesFrom(cell, field);
            bool any = false;
            foreach (int d in field)
            {
                longest = Math.Max(longest, d);
                any |= d >= options.MinCells && d <= options.MaxCells;
            }
            if (any) starts.Add(cell);
        }
        if (starts.Count == 0)
            throw new ArgumentException(
                $"no start/goal cell pair in layout '{layout.Name}' is {options.MinCells}..{options.MaxCells} cell moves apart; the layout's longest geodesic distance is {longest}.",
                nameof(options));

        var random = new DeterministicRandom(options.Seed);
        var tasks = new MazeTask[options.Count];
        var goals = new List<CellIndex>();
        for (int i = 0; i < tasks.Length; i++)
        {
            var start = starts[random.NextInt(starts.Count)];
            layout.DistancesFrom(start, field);
            goals.Clear();
            foreach (var cell in free)
            {
                int d = field[cell.Row * layout.Width + cell.Column];
                if (d >= options.MinCells && d <= options.MaxCells) goals.Add(cell);
            }
            var goal = goals[random.NextInt(goals.Count)];
            var (sx, sy) = maze.RandomPositionIn(start, ref random, options.StartJitter);
            var (gx, gy) = maze.RandomPositionIn(goal, ref random, options.GoalJitter);
            tasks[i] = new MazeTask(sx, sy, gx, gy, field[goal.Row * layout.Width + goal.Column]);
        }
        return tasks;
    }
}
