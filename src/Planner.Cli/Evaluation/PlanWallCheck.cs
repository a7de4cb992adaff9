using Planner.Cli.Infrastructure;
using Planner.Environments;
using Planner.Environments.Mazes;
using Planner.Hierarchy;
using Planner.Models;
using Planner.Torch.Training;

namespace Planner.Cli.Evaluation;

/// <summary>How often one predictor's rollout of the top level's plans leaves the maze's physics.</summary>
/// <param name="Name">"handed down" (the ensemble mean, what the level below receives) or "member K".</param>
/// <param name="BeforeSubgoal">Plans with a step through a wall at or before the handed-down step.</param>
/// <param name="Anywhere">Plans with a step through a wall anywhere in the horizon.</param>
/// <param name="Jumps">Steps farther in a straight line than the robot can move in one step (teleports, not walls).</param>
/// <param name="OffFreeCells">Predicted latents decoded outside the free cells (in a wall or off the map).</param>
internal readonly record struct WallCheckRow(string Name, double BeforeSubgoal, double Anywhere, double Jumps, double OffFreeCells);

/// <summary>The result of <see cref="PlanWallCheck.Run"/>.</summary>
internal sealed record WallCheckReport(int Level, int Plans, int Horizon, int SubgoalStep, int BoundCells, double ProbeR2, IReadOnlyList<WallCheckRow> Rows)
{
    public void Print(TextWriter output)
    {
        output.WriteLine(FormattableString.Invariant(
            $"level {Level}: first plans of {Plans} tasks, horizon {Horizon}, decoded by a position probe (R^2 {ProbeR2:F3})"));
        output.WriteLine(FormattableString.Invariant(
            $"a step goes through a wall when its decoded cells are at most {BoundCells} cells apart in a straight line (4-connected) but more along free cells"));
        output.WriteLine("(plans with such a step; jumps and off-free-cells count steps and latents)");
        output.WriteLine($"{"rollout",-12} {$"wall <= step {SubgoalStep}",16} {"wall anywhere",14} {"jumps",8} {"off free cells",15}");
        foreach (var r in Rows)
            output.WriteLine(FormattableString.Invariant($"{r.Name,-12} {r.BeforeSubgoal,16:P1} {r.Anywhere,14:P1} {r.Jumps,8:P1} {r.OffFreeCells,15:P1}"));
    }

    public void WriteJson(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteNumber("level", Level);
        w.WriteNumber("plans", Plans);
        w.WriteNumber("horizon", Horizon);
        w.WriteNumber("subgoal_step", SubgoalStep);
        w.WriteNumber("bound_cells", BoundCells);
        w.Number("probe_r2", ProbeR2);
        w.WritePropertyName("rollouts");
        w.WriteStartArray();
        foreach (var r in Rows)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.Number("wall_before_subgoal", r.BeforeSubgoal);
            w.Number("wall_anywhere", r.Anywhere);
            w.Number("jumps", r.Jumps);
            w.Number("off_free_cells", r.OffFreeCells);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}

/// <summary>
/// Model exploitation, measured without running episodes: the top level plans once from each task's start towards its
/// goal (the same planner, cost and ensemble scoring as in <c>eval --planner hier</c>), and its imagined path is checked
/// against the maze. Each predicted latent is decoded by a position probe; a step whose decoded cells are within the
/// robot's reach in a straight line but farther apart along the free cells went through a wall (the reach: one step
/// of that level, its time-scale x top speed, in 4-connected cells plus one of slack); one beyond the reach in a
/// straight line is a jump. A planner that finds the model's shortcuts through walls shows it here, per
/// ensemble member and for the members' mean (what is handed down as the subgoal).
/// </summary>
internal static class PlanWallCheck
{
    public static WallCheckReport Run(MazeLayout layout, WorldModelStack models, AgentSettings agent, EvaluationSettings settings)
    {
        int k = models.AvailableLevels - 1;
        if (k < 1) throw new ArgumentException($"the model in '{models.Directory}' has one level; the wall check plans with an upper level (train one with 'planner train --levels 2').");
        var env = MazeEvaluator.CreateEnvironment(layout, models);
        var tasks = MazeEvaluator.SampleTasks(env, settings);
        int n = tasks.Length, s = models.LatentDim, od = env.Observer.Dim;
        var (observations, goalObservations) = (new float[n * od], new float[n * od]);
        var starts = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            env.Reset(tasks[i]);
            env.Observe(observations.AsSpan(i * od, od));
            env.ObserveGoal(goalObservations.AsSpan(i * od, od));
            (starts[2 * i], starts[2 * i + 1]) = env.Position;
        }
        var (latents, goals) = (new float[n * s], new float[n * s]);
        models.Encoder.Encode(observations, latents, n);
        models.Encoder.Encode(goalObservations, goals, n);

        var high = agent.Levels[Math.Min(k, agent.Levels.Count - 1)];
        var level = models.CreateLevel(k, high, agent, n, new LevelOptions { TimeScale = models.TimeScaleOf(k) });
        try
        {
            level.Planner.Plan(latents, goals);
            var plan = level.Planner.BestPlan.ToArray();
            int h = level.Planner.Horizon;
            var probe = PositionProbe.Fit(env, models.Encoder);
            var options = env.Dynamics.Options;
            float reach = options.MaxSpeed * options.TimeStep * models.TimeScaleOf(k);
            int bound = (int)MathF.Ceiling(reach * MathF.Sqrt(2)) + 1; // 4-connected cells within that reach, plus one of slack
            int subgoalStep = Math.Min(agent.SubgoalStep, h);

            var rows = new List<WallCheckRow>();
            var predicted = new float[n * h * s];
            level.Predictor.Predict(latents, plan, n, h, predicted);
            rows.Add(Score("handed down", predicted, starts, probe, layout, n, h, s, subgoalStep, bound));
            var members = models.MemberPredictors(k);
            for (int m = 0; members.Count > 1 && m < members.Count; m++)
            {
                members[m].Predict(latents, plan, n, h, predicted);
                rows.Add(Score($"member {m}", predicted, starts, probe, layout, n, h, s, subgoalStep, bound));
            }
            return new WallCheckReport(k, n, h, subgoalStep, bound, ProbeR2(env, models, probe), rows);
        }
        finally
        {
            level.Planner.Dispose();
        }
    }

    /// <summary>Through-wall, jump and off-map rates of one rollout <c>[n x h x s]</c> of the plans, starting at the true start positions.</summary>
    internal static WallCheckRow Score(string name, ReadOnlySpan<float> predicted, ReadOnlySpan<float> starts, LinearProbe probe, MazeLayout layout,
        int n, int h, int s, int subgoalStep, int bound)
    {
        var positions = new float[n * h * 2];
        probe.Predict(predicted, positions);
        int early = 0, anywhere = 0, jumps = 0, off = 0;
        for (int i = 0; i < n; i++)
        {
            var from = CellIndex.Containing(starts[2 * i], starts[2 * i + 1]);
            int firstWall = int.MaxValue;
            for (int t = 0; t < h; t++)
            {
                float x = positions[(i * h + t) * 2], y = positions[(i * h + t) * 2 + 1];
                if (!layout.IsFreePoint(x, y)) { off++; continue; } // compared with the next free one
                var to = CellIndex.Containing(x, y);
                if (layout.GeodesicDistance(from, to) > bound)
                {
                    if (Math.Abs(to.Column - from.Column) + Math.Abs(to.Row - from.Row) > bound) jumps++;
                    else if (firstWall == int.MaxValue) firstWall = t;
                }
                from = to;
            }
            if (firstWall < subgoalStep) early++;
            if (firstWall != int.MaxValue) anywhere++;
        }
        return new WallCheckRow(name, (double)early / n, (double)anywhere / n, (double)jumps / (n * h), (double)off / (n * h));
    }

    /// <summary>R^2 of the probe on fresh states (another seed than its fit), so a poor probe is visible next to the rates.</summary>
    private static double ProbeR2(MazeEnvironment env, WorldModelStack models, LinearProbe probe)
    {
        var (latents, positions) = PositionProbe.Sample(env, models.Encoder, 1000, seed: 8);
        return probe.RSquared(latents, positions).Pooled;
    }
}
