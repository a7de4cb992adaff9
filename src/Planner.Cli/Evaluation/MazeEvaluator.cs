using System.Diagnostics;
using Planner.Control;
using Planner.Environments;
using Planner.Environments.Mazes;
using Planner.Environments.Tasks;
using Planner.Hierarchy;

namespace Planner.Cli.Evaluation;

/// <summary>A geodesic-distance bin, inclusive on both ends.</summary>
internal readonly record struct DistanceBin(string Name, int MinCells, int MaxCells)
{
    public bool Contains(int cells) => cells >= MinCells && cells <= MaxCells;
}

/// <summary>What happened in one episode.</summary>
internal sealed record EpisodeResult(MazeTask Task, bool Success, int Steps, double[] PlanMs, long ModelEvaluations, float[] Path, float[] Subgoals)
{
    /// <summary>For each latent in <see cref="Subgoals"/>, the level it was handed to (0: level 0's goal from level 1, ...).</summary>
    public int[] SubgoalLevels { get; init; } = [];

    /// <summary>Geodesic cells from where the episode ended to the goal (0 in the goal's cell; -1 when it ended outside the free cells).</summary>
    public int RemainingCells { get; init; }

    /// <summary>The top level's predicted latents <c>[H x S]</c> after each of its plans in the episode, with the tick and position it planned from (none for a flat agent).</summary>
    public IReadOnlyList<(int Tick, float X, float Y, float[] Latents)> TopPlans { get; init; } = [];
}

/// <summary>Settings of an evaluation run.</summary>
internal sealed record EvaluationSettings
{
    public int Episodes { get; init; } = 50;
    public int MaxSteps { get; init; } = 300;
    public int MinCells { get; init; } = 1;
    public int MaxCells { get; init; } = int.MaxValue;
    public int Seed { get; init; }
    public float SuccessRadius { get; init; } = MazeTask.DefaultSuccessRadius;

    /// <summary>Run only this episode (0-based) of the sampled tasks, e.g. a failure from a JSON report; null: all.</summary>
    public int? OnlyEpisode { get; init; }
}

/// <summary>
/// Runs goal-reaching episodes in a maze with an agent (a hierarchy of one or more levels) planning through a learned
/// world model, timing every control step's planning.
/// </summary>
internal static class MazeEvaluator
{
    public static IReadOnlyList<EpisodeResult> Run(MazeLayout layout, WorldModelStack models, AgentSettings agent, EvaluationSettings settings,
        IProgress<(int Done, int Total, double SuccessRate)>? progress = null)
        => Run(layout, models, [agent], settings, progress)[0];

    /// <summary>
    /// Runs every agent on the same tasks in one process, task by task, alternating which agent goes first, so that
    /// their planning times share the machine's state (JIT, caches, load) and can be compared directly. Progress
    /// reports the last agent's success rate.
    /// </summary>
    public static IReadOnlyList<EpisodeResult>[] Run(MazeLayout layout, WorldModelStack models, IReadOnlyList<AgentSettings> agents, EvaluationSettings settings,
        IProgress<(int Done, int Total, double SuccessRate)>? progress = null)
    {
        var env = CreateEnvironment(layout, models);
        var tasks = SampleTasks(env, settings);
        if (settings.OnlyEpisode is int only)
        {
            if (only >= tasks.Length) throw new ArgumentException($"episode {only} was asked for, but only {tasks.Length} tasks were sampled (episodes are numbered from 0).");
            tasks = [tasks[only]];
        }

        var controllers = new HierarchicalController[agents.Count];
        var results = new List<EpisodeResult>[agents.Count];
        try
        {
            for (int i = 0; i < agents.Count; i++)
            {
                controllers[i] = CreateController(models, agents[i], batch: 1);
                results[i] = new List<EpisodeResult>(tasks.Length);
            }
            var buffers = new EpisodeBuffers(new float[env.Observer.Dim], new float[env.Observer.Dim], new float[2]);
            int successes = 0;
            for (int t = 0; t < tasks.Length; t++)
            {
                for (int j = 0; j < agents.Count; j++)
                {
                    int i = t % 2 == 0 ? j : agents.Count - 1 - j;
                    var result = RunEpisode(env, layout, controllers[i], tasks[t], settings, buffers);
                    results[i].Add(result);
                    if (i == agents.Count - 1 && result.Success) successes++;
                }
                progress?.Report((t + 1, tasks.Length, (double)successes / (t + 1)));
            }
        }
        finally
        {
            foreach (var controller in controllers) controller?.Dispose();
        }
        return results;
    }

    /// <summary>The maze as the model observes it (state vectors or images); throws when their sizes disagree.</summary>
    public static MazeEnvironment CreateEnvironment(MazeLayout layout, WorldModelStack models)
    {
        var env = new MazeEnvironment(layout, observation: models.ObservationKind, imageSize: models.ImageSize);
        if (env.Observer.Dim != models.Encoder.ObservationDim)
            throw new ArgumentException($"the model expects observations of size {models.Encoder.ObservationDim}, but {models.ObservationKind} observations of this maze have {env.Observer.Dim}.");
        return env;
    }

    /// <summary>The run's tasks: <see cref="EvaluationSettings.Episodes"/> of them, from its seed and distance range.</summary>
    public static MazeTask[] SampleTasks(MazeEnvironment env, EvaluationSettings settings) => TaskSampler.Sample(env.Dynamics, new TaskSamplingOptions
    {
        Count = settings.Episodes, Seed = (ulong)settings.Seed, MinCells = settings.MinCells, MaxCells = settings.MaxCells,
    });

    /// <summary>Observation, goal observation and action buffers, shared by every episode of a run.</summary>
    private sealed record EpisodeBuffers(float[] Observation, float[] Goal, float[] Action);

    private static EpisodeResult RunEpisode(MazeEnvironment env, MazeLayout layout, HierarchicalController controller, MazeTask task, EvaluationSettings settings, EpisodeBuffers buffers)
    {
        var (obs, goal, action) = (buffers.Observation, buffers.Goal, buffers.Action);
        env.Reset(task);
        controller.Reset();
        env.ObserveGoal(goal);
        controller.SetGoalObservations(goal);
        var planMs = new List<double>(settings.MaxSteps);
        var path = new List<float>(2 * settings.MaxSteps) { env.Position.X, env.Position.Y };
        var subgoals = new List<float>();
        var subgoalLevels = new List<int>();
        var topPlans = new List<(int, float, float, float[])>();
        long evaluations = 0;
        bool success = false;
        int steps = 0;
        while (steps < settings.MaxSteps)
        {
            env.Observe(obs);
            long start = Stopwatch.GetTimestamp();
            var status = controller.Act(obs, action);
            planMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            evaluations += status.ModelEvaluations;
            for (int k = 1; k < controller.Levels; k++)
                if (status.Replanned(k)) RecordSubgoal(controller, k - 1, subgoals, subgoalLevels);
            if (controller.Levels > 1 && status.Replanned(controller.Levels - 1))
                topPlans.Add((steps, env.Position.X, env.Position.Y, controller.PredictedLatents(controller.Levels - 1).ToArray()));
            env.Step(action);
            steps++;
            path.Add(env.Position.X);
            path.Add(env.Position.Y);
            if (env.IsSuccess(settings.SuccessRadius)) { success = true; break; }
        }
        var end = CellIndex.Containing(env.Position.X, env.Position.Y);
        return new EpisodeResult(task, success, steps, planMs.ToArray(), evaluations, path.ToArray(), subgoals.ToArray())
        {
            TopPlans = topPlans, SubgoalLevels = subgoalLevels.ToArray(), RemainingCells = layout.GeodesicDistance(end, task.GoalCell),
        };
    }

    /// <summary>Subgoal latents are kept as latents; plots decode them through a position probe when one is available.</summary>
    private static void RecordSubgoal(HierarchicalController controller, int level, List<float> subgoals, List<int> levels)
    {
        foreach (float v in controller.GoalOf(level)) subgoals.Add(v);
        levels.Add(level);
    }

    public static HierarchicalController CreateController(WorldModelStack models, AgentSettings agent, int batch)
    {
        var levels = new HierarchyLevel[agent.Levels.Count];
        for (int k = 0; k < levels.Length; k++)
        {
            var settings = agent.Levels[k];
            var options = new LevelOptions
            {
                TimeScale = models.TimeScaleOf(k), ReplanEvery = k == 0 ? 0 : agent.HighReplanEvery, SubgoalReachedRadius = k == 0 ? 0 : agent.SubgoalReachedRadius,
                SubgoalStep = k == 0 ? 1 : Math.Min(agent.SubgoalStep, settings.Horizon),
                DirectGoalRadius = k == 0 ? 0 : agent.DirectGoalRadius, ReachRadius = k == 0 ? 0 : agent.ReachRadius,
                StuckTicks = k == 0 ? 0 : agent.StuckTicks, StuckDistance = agent.StuckDistance, AvoidTicks = agent.AvoidTicks, AvoidOnlyWhenBlocked = agent.AvoidOnlyWhenBlocked, KeepBlockedAvoids = agent.KeepBlockedAvoids,
                WanderTicks = k == 0 ? 0 : agent.WanderTicks, WanderDistance = agent.WanderDistance, WanderGoalClearance = agent.WanderGoalClearance, AvoidPlacement = agent.AvoidPlacement,
                GoalDetourTolerance = agent.GoalDetourTolerance,
            };
            levels[k] = models.CreateLevel(k, settings, agent, batch, options);
        }
        // With the landmark graph, "near the goal" is measured along it too: a goal behind a wall is not near.
        var goalDistance = agent.Landmarks == LandmarkUse.Off ? null : models.Landmarks;
        return new HierarchicalController(models.Encoder, levels, InvalidObservationPolicy.Fallback, goalDistance);
    }
}
