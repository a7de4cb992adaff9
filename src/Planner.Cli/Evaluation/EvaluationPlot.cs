using Planner.Environments;
using Planner.Environments.Mazes;
using Planner.Environments.Rendering;

namespace Planner.Cli.Evaluation;

/// <summary>Draws evaluated episodes over the maze: paths, starts, goals and (hierarchy) the subgoals handed down, decoded through a position probe.</summary>
internal static class EvaluationPlot
{
    public static void Save(string path, MazeLayout layout, IReadOnlyList<EpisodeResult> results, WorldModelStack models, int maxEpisodes = 8)
    {
        var plot = new MazePlot(layout, pixelsPerCell: Math.Clamp(640 / Math.Max(layout.Width, layout.Height), 8, 48));
        var probe = PositionProbe.Fit(new MazeEnvironment(layout, observation: models.ObservationKind, imageSize: models.ImageSize), models.Encoder);
        int s = models.LatentDim;
        var position = new float[2];
        int successes = results.Count(r => r.Success);
        foreach (var r in results.Take(maxEpisodes))
        {
            var colour = plot.DrawTrajectory(r.Path);
            plot.DrawStart(r.Task.StartX, r.Task.StartY);
            plot.DrawGoal(r.Task.GoalX, r.Task.GoalY);
            for (int i = 0; i + s <= r.Subgoals.Length; i += s)
            {
                probe.Predict(r.Subgoals.AsSpan(i, s), position);
                plot.DrawSubgoal(position[0], position[1], colour);
            }
        }
        plot.DrawLabel($"{successes}/{results.Count} REACHED");
        plot.SavePng(path);
    }
}
