using Planner.Environments;
using Planner.Environments.Mazes;
using Planner.Environments.Rendering;

namespace Planner.Cli.Evaluation;

/// <summary>Draws evaluated episodes over the maze: paths, starts, goals and (hierarchy) the subgoals handed down, decoded through a position probe.</summary>
internal static class EvaluationPlot
{
    /// <summary>Draws the first <paramref name="maxEpisodes"/> episodes, or the first failed ones when <paramref name="failuresOnly"/>.</summary>
    public static void Save(string path, MazeLayout layout, IReadOnlyList<EpisodeResult> results, WorldModelStack models, bool failuresOnly = false, int maxEpisodes = 8)
    {
        var plot = new MazePlot(layout, pixelsPerCell: Math.Clamp(640 / Math.Max(layout.Width, layout.Height), 8, 48));
        var probe = PositionProbe.Fit(new MazeEnvironment(layout, observation: models.ObservationKind, imageSize: models.ImageSize), models.Encoder);
        int s = models.LatentDim;
        var position = new float[2];
        int successes = results.Count(r => r.Success);
        var drawn = (failuresOnly ? results.Where(r => !r.Success) : results).Take(maxEpisodes).ToList();
        foreach (var r in drawn)
        {
            var colour = plot.DrawTrajectory(r.Path);
            plot.DrawStart(r.Task.StartX, r.Task.StartY);
            plot.DrawGoal(r.Task.GoalX, r.Task.GoalY);
            // The top level's plans as it imagined them (from where it planned, each predicted latent decoded): the
            // first one of every episode, or all of them when one episode is drawn.
            for (int p = 0; p < r.TopPlans.Count && (p == 0 || drawn.Count == 1); p++)
            {
                var (_, x0, y0, latents) = r.TopPlans[p];
                var imagined = new float[2 + latents.Length / s * 2];
                imagined[0] = x0;
                imagined[1] = y0;
                for (int i = 0, j = 2; i + s <= latents.Length; i += s, j += 2) probe.Predict(latents.AsSpan(i, s), imagined.AsSpan(j, 2));
                plot.DrawTrajectory(imagined, colour, plot.TrajectoryThickness / 3);
            }
            // Level 0's subgoals as plain rings; those handed to higher levels (3+ level stacks) numbered by level.
            for (int i = 0, j = 0; i + s <= r.Subgoals.Length; i += s, j++)
            {
                probe.Predict(r.Subgoals.AsSpan(i, s), position);
                int level = j < r.SubgoalLevels.Length ? r.SubgoalLevels[j] : 0;
                plot.DrawSubgoal(position[0], position[1], colour, level > 0 ? level : null);
            }
        }
        plot.DrawLabel($"{successes}/{results.Count} REACHED");
        plot.SavePng(path);
    }
}
