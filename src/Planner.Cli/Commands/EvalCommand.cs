using System.Globalization;
using Planner.Cli.Evaluation;
using Planner.Cli.Infrastructure;
using Planner.Planning;

namespace Planner.Cli.Commands;

/// <summary><c>planner eval</c>: goal-reaching success of planning with a learned world model, per distance bin.</summary>
internal static class EvalCommand
{
    public const string Help = """
        planner eval: plan with a learned world model in a maze (MPC) and report success per geodesic-distance bin

        options:
          --model DIR (required)    --env maze:NAME|FILE (required)   --episodes E (50)  --seed S (0)
          --planner flat|hier|both (flat)   --backend managed|torch (managed)   --threads T (1)
                                       both: flat and hier on the same tasks in one process, task by task (alternating
                                       which goes first), with hier/flat ratios of planning time: the fair timing test
          --min-cells A  --max-cells B   restrict tasks to this geodesic start-goal distance (cells)
          --bins 1-3,4-7,8-99          distance bins of the report
          --max-steps N (300)          --json (with one row per episode)
          --episode I                  run only episode I (from 0) of the tasks the other flags sample: replays one
                                       row of a JSON report, e.g. with --plot-episodes 1 to see every plan of a failure
          --check-plans                no episodes: the top level plans once from each task's start (as with --planner
                                       hier) and its imagined path is checked against the maze: how many plans step
                                       through a wall, per ensemble member and for the handed-down mean (model exploitation)
          --plot FILE.png              paths, subgoals and the top level's first imagined plan of the first 8 episodes
          --plot-failures              plot the first failed episodes instead
          --plot-episodes K (8)        episodes drawn; with 1, every plan the top level made in it is drawn
          cost:     --distance sql2|l2|l1|cosine (l2)  --step-weight W (0.1; the last step weighs 1)
          level 0:  --low-planner gd|cem|mppi|hybrid (gd) --samples N (16) --horizon H (24) --iters K (20)
          levels >= 1 (hier, every level the model has; time-scales from the checkpoint):
                    --high-planner (cem) --high-samples (64) --high-horizon (16) --high-iters (4)
                      (a modest search: a stronger one finds the macro model's errors, e.g. paths through walls)
                    --high-replan N (0: every tau ticks)  an upper level's replanning period in ticks
                    --high-step-weight W (0.1; 0 = terminal cost only)  --subgoal-step K (4: the latent after K upper steps)
                    --direct-radius R (2; 0: off)  within R of the goal (latent L2) the goal itself is handed down, no upper plan
                    --reach-radius R (0.5; 0: off)  the level below tries the goal itself first; an upper level plans
                      only once the lower plan towards the goal ends farther than R from it (short tasks cost a flat plan)
                    --stuck-ticks T (16; 0: off)  --stuck-distance D (1)  every T ticks, a robot whose latent moved less
                      than D is stuck: its subgoal becomes a keep-out ball (--avoid-radius R (2) --avoid-weight W (10)) of
                      the upper level's cost, which replans from scratch; --avoid-ticks N (0: never) forgets a ball after N ticks;
                      --avoid-when-blocked: place a ball only when level 0's own plan also stalls there;
                      --keep-when-blocked: with --avoid-ticks, keep the balls where level 0's plan also stalls (walls);
                      --avoid-at subgoal|blockage (subgoal): the ball on the subgoal, or one radius from the robot towards it
                    --wander-ticks T (0: off)  --wander-distance D (2)  every T ticks, a robot within D of where it
                      was T ticks before is circling in a pocket: a keep-out ball at its latent, the upper level replans;
                      --wander-clearance C (0: the avoid radius)  no such ball within C (latent) of the goal
                    --subgoal-radius R (0: off)  an upper level replans when the latent is within R of its subgoal
                    --high-bound B (1)  macro-actions searched in [-B, B]^M, inside the encoder's [-1, 1]^M
                    --high-action-weight W (0)  weight of the squared macro-action, a prior towards the data's centre
                    --ensemble-disagreement W (0)  levels trained with --macro-ensemble K score a macro plan by the
                      mean of its K costs plus W x their standard deviation
            --landmarks off|upper|all (off)  measure the goal distance along the model's landmark graph (built by
              'planner landmarks'; around walls) at levels >= 1 (upper) or at every level, the flat planner's too (all);
              then a goal within --direct-radius (or the wander clearance) in a straight line is near only if at
              most --detour-tolerance T (4) farther along the graph (not behind a wall)
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("eval", args,
            ["model", "env", "episodes", "seed", "planner", "backend", "threads", "min-cells", "max-cells", "bins", "max-steps", "plot",
             "low-planner", "samples", "horizon", "iters", "high-planner", "high-samples", "high-horizon", "high-iters", "distance", "step-weight", "high-step-weight", "subgoal-step", "high-action-weight", "subgoal-radius", "high-bound", "direct-radius", "reach-radius", "stuck-ticks", "stuck-distance", "avoid-radius", "avoid-weight", "ensemble-disagreement", "plot-episodes", "avoid-ticks", "high-replan", "wander-ticks", "wander-distance", "wander-clearance", "avoid-at", "episode", "landmarks", "detour-tolerance"], ["json", "plot-failures", "avoid-when-blocked", "keep-when-blocked", "check-plans"]);
        var layout = EnvSpec.Parse("eval", a.Required("env"));
        string modelDir = a.Required("model");
        var kinds = new Dictionary<string, PlannerKind> { ["gd"] = PlannerKind.Gradient, ["cem"] = PlannerKind.Cem, ["mppi"] = PlannerKind.Mppi, ["hybrid"] = PlannerKind.Hybrid };
        string mode = a.Choice("planner", "flat", new Dictionary<string, string> { ["flat"] = "flat", ["hier"] = "hier", ["both"] = "both" });
        var low = new LevelSettings(a.Choice("low-planner", PlannerKind.Gradient, kinds), a.Int("samples", 16, 1, 1 << 20),
            a.Int("horizon", 24, 1, 4096), a.Int("iters", 20, 1, 1 << 20));
        LevelSettings[] levels = [low];
        var high = new LevelSettings(a.Choice("high-planner", PlannerKind.Cem, kinds), a.Int("high-samples", 64, 1, 1 << 20),
            a.Int("high-horizon", 16, 1, 4096), a.Int("high-iters", 4, 1, 1 << 20));
        var backend = a.Choice("backend", "managed", new Dictionary<string, string> { ["managed"] = "managed", ["torch"] = "torch" });
        int threads = a.Int("threads", 1, 1, 1024);
        var d = new AgentSettings { Levels = levels }; // defaults (measured: docs/hierarchy.md)
        var agent = new AgentSettings
        {
            Backend = backend, Levels = levels, Threads = threads, Seed = a.Int("seed", 0),
            Distance = a.Choice("distance", d.Distance, new Dictionary<string, Costs.DistanceKind>
            {
                ["sql2"] = Costs.DistanceKind.SquaredL2, ["l2"] = Costs.DistanceKind.L2, ["l1"] = Costs.DistanceKind.L1, ["cosine"] = Costs.DistanceKind.Cosine,
            }),
            StepWeight = (float)a.Double("step-weight", d.StepWeight, 0),
            HighStepWeight = (float)a.Double("high-step-weight", d.HighStepWeight, 0),
            SubgoalStep = a.Int("subgoal-step", d.SubgoalStep, 1, 4096),
            HighActionWeight = (float)a.Double("high-action-weight", d.HighActionWeight, 0),
            SubgoalReachedRadius = (float)a.Double("subgoal-radius", d.SubgoalReachedRadius, 0),
            HighBound = (float)a.Double("high-bound", d.HighBound, 0, 1, exclusiveMin: true),
            DirectGoalRadius = (float)a.Double("direct-radius", d.DirectGoalRadius, 0),
            ReachRadius = (float)a.Double("reach-radius", d.ReachRadius, 0),
            StuckTicks = a.Int("stuck-ticks", d.StuckTicks, 0, 1_000_000),
            StuckDistance = (float)a.Double("stuck-distance", d.StuckDistance, 0),
            AvoidRadius = (float)a.Double("avoid-radius", d.AvoidRadius, 0, exclusiveMin: true),
            AvoidWeight = (float)a.Double("avoid-weight", d.AvoidWeight, 0),
            AvoidTicks = a.Int("avoid-ticks", d.AvoidTicks, 0, 1_000_000),
            WanderTicks = a.Int("wander-ticks", d.WanderTicks, 0, 1_000_000),
            WanderDistance = (float)a.Double("wander-distance", d.WanderDistance, 0),
            WanderGoalClearance = (float)a.Double("wander-clearance", d.WanderGoalClearance, 0),
            AvoidOnlyWhenBlocked = a.Has("avoid-when-blocked"),
            KeepBlockedAvoids = a.Has("keep-when-blocked"),
            AvoidPlacement = a.Choice("avoid-at", d.AvoidPlacement, new Dictionary<string, Planner.Hierarchy.AvoidPlacement>
                { ["subgoal"] = Planner.Hierarchy.AvoidPlacement.Subgoal, ["blockage"] = Planner.Hierarchy.AvoidPlacement.Blockage }),
            HighReplanEvery = a.Int("high-replan", d.HighReplanEvery, 0, 1_000_000),
            EnsembleDisagreement = (float)a.Double("ensemble-disagreement", d.EnsembleDisagreement, 0),
            GoalDetourTolerance = (float)a.Double("detour-tolerance", d.GoalDetourTolerance, 0),
            Landmarks = a.Choice("landmarks", d.Landmarks, new Dictionary<string, LandmarkUse> { ["off"] = LandmarkUse.Off, ["upper"] = LandmarkUse.Upper, ["all"] = LandmarkUse.All }),
        };
        var settings = new EvaluationSettings
        {
            Episodes = a.Int("episodes", 50, 1, 1_000_000), Seed = agent.Seed, MaxSteps = a.Int("max-steps", 300, 1, 1_000_000),
            MinCells = a.Int("min-cells", 1, 0), MaxCells = a.Int("max-cells", int.MaxValue, 0),
            OnlyEpisode = a.String("episode") is null ? null : a.Int("episode", 0, 0, 1_000_000),
        };
        if (settings.OnlyEpisode >= settings.Episodes)
            throw new UsageException($"planner eval: --episode {settings.OnlyEpisode} is not among the {settings.Episodes} episodes (numbered from 0); give --episodes as in the run it comes from.");
        if (settings.MaxCells < settings.MinCells) throw new UsageException($"planner eval: --max-cells {settings.MaxCells} is below --min-cells {settings.MinCells}.");
        var bins = ParseBins(a.String("bins", "1-3,4-7,8-999"));
        int plotEpisodes = a.Int("plot-episodes", 8, 1, 1000);

        // Every flag is checked above before the model is opened, so a bad flag is reported as such.
        using var models = WorldModelStack.Open(modelDir, backend, threads);
        if (mode != "flat" && models.AvailableLevels < 2)
            throw new UsageException($"planner eval: --planner {mode} needs a hierarchy, but '{modelDir}' has one level; train one with 'planner train --levels 2'.");
        var flat = agent;
        var stack = new LevelSettings[models.AvailableLevels];
        stack[0] = low;
        for (int k = 1; k < stack.Length; k++) stack[k] = high;
        var hier = agent with { Levels = stack };
        if (a.Has("check-plans"))
        {
            if (models.AvailableLevels < 2)
                throw new UsageException($"planner eval: --check-plans checks an upper level's plans, but '{modelDir}' has one level; train one with 'planner train --levels 2'.");
            var check = PlanWallCheck.Run(layout, models, hier, settings);
            if (a.Has("json")) Json.WriteObject(stdout, check.WriteJson);
            else check.Print(stdout);
            return 0;
        }
        AgentSettings[] agents = mode switch { "flat" => [flat], "hier" => [hier], _ => [flat, hier] };
        string[] names = mode == "both" ? ["flat", "hier"] : [mode];

        var bar = new ProgressLine($"eval {mode}");
        var results = MazeEvaluator.Run(layout, models, agents, settings,
            new Progress<(int Done, int Total, double SuccessRate)>(p => bar.Report((double)p.Done / p.Total, string.Create(CultureInfo.InvariantCulture, $"success {p.SuccessRate:P0}"))));
        var reports = new EvaluationReport[agents.Length];
        for (int i = 0; i < agents.Length; i++) reports[i] = EvaluationReport.From(names[i], results[i], bins);
        // With both, the plot shows the hierarchy (its subgoals are what a plot can add).
        if (a.String("plot") is { } plotPath) EvaluationPlot.Save(plotPath, layout, results[^1], models, a.Has("plot-failures"), plotEpisodes);
        if (reports.Length == 1)
        {
            if (a.Has("json")) Json.WriteObject(stdout, reports[0].WriteJson);
            else reports[0].Print(stdout);
        }
        else if (a.Has("json"))
        {
            Json.WriteObject(stdout, w =>
            {
                for (int i = 0; i < reports.Length; i++)
                {
                    w.WritePropertyName(names[i]);
                    w.WriteStartObject();
                    reports[i].WriteJson(w);
                    w.WriteEndObject();
                }
                EvaluationReport.WriteRatios(w, reports[1], reports[0]);
            });
        }
        else
        {
            for (int i = 0; i < reports.Length; i++)
            {
                stdout.WriteLine(names[i]);
                reports[i].Print(stdout);
                stdout.WriteLine();
            }
            EvaluationReport.PrintRatios(stdout, reports[1], reports[0]);
        }
        return 0;
    }

    /// <summary>
    /// Parses "lo-hi,lo-hi,...". Three disjoint ascending ranges are named short, medium and long (two: short and
    /// long); any other set (overlapping ranges like 14-999,18-999) is named by its ranges ("14+", "5-13").
    /// </summary>
    internal static IReadOnlyList<DistanceBin> ParseBins(string spec)
    {
        var ranges = new List<(int Lo, int Hi)>();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-');
            if (ends.Length != 2 || !int.TryParse(ends[0], CultureInfo.InvariantCulture, out int lo) || !int.TryParse(ends[1], CultureInfo.InvariantCulture, out int hi) || lo < 0 || hi < lo)
                throw new UsageException($"planner eval: --bins expects ranges like 1-3,4-7,8-99, got '{part}'.");
            ranges.Add((lo, hi));
        }
        if (ranges.Count == 0) throw new UsageException("planner eval: --bins expects at least one range like 1-3,4-7,8-99.");
        bool disjoint = true;
        for (int i = 1; i < ranges.Count; i++) disjoint &= ranges[i].Lo > ranges[i - 1].Hi;
        string[]? names = !disjoint ? null : ranges.Count switch { 3 => ["short", "medium", "long"], 2 => ["short", "long"], _ => null };
        var bins = new List<DistanceBin>(ranges.Count);
        for (int i = 0; i < ranges.Count; i++)
        {
            var (lo, hi) = ranges[i];
            string name = names?[i] ?? (hi >= OpenEnded ? $"{lo}+" : $"{lo}-{hi}");
            bins.Add(new DistanceBin(name, lo, hi));
        }
        return bins;
    }

    /// <summary>An upper end at or past this many cells reads as "no upper end" in bin names (no maze here is that large).</summary>
    private const int OpenEnded = 999;
}
