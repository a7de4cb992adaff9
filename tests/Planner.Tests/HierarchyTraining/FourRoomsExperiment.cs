using System.Diagnostics;
using System.Globalization;
using Planner.Costs;
using Planner.Data;
using Planner.Environments;
using Planner.Environments.Collection;
using Planner.Environments.Mazes;
using Planner.Environments.Physics;
using Planner.Environments.Tasks;
using Planner.Hierarchy;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;
using Planner.Torch.Training;
using Planner.Torch.Training.Hierarchy;

namespace Planner.Tests.HierarchyTraining;

/// <summary>
/// Not a unit test: the experiment behind the report's numbers (minutes). Collects four-rooms state data, trains a
/// 2-level hierarchy (cached in PLANNER_EXP_DIR), then compares flat CEM over the level-0 model with a 2-level
/// controller (CEM over learned macro-actions above it) on far goals. Settings come from PLANNER_EXP_* variables.
/// Run (Release: the managed planner is much slower in Debug): <c>PLANNER_EXP_RUN=1 dotnet test tests/Planner.Tests -c Release --no-build --filter "FullyQualifiedName~FourRoomsExperiment"</c>.
/// </summary>
[Explicit("experiment, minutes long")]
public class FourRoomsExperiment
{
    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable("PLANNER_EXP_" + name) ?? fallback;
    private static int Int(string name, int fallback) => int.Parse(Env(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    private static float Float(string name, float fallback) => float.Parse(Env(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    [Test]
    public void FlatVersusTwoLevels()
    {
        if (Environment.GetEnvironmentVariable("PLANNER_EXP_RUN") != "1")
            Assert.Ignore("set PLANNER_EXP_RUN=1 to run this experiment (minutes of CPU).");
        string dir = Env("DIR", "/tmp/planner-exp-fourrooms");
        string layoutName = Env("LAYOUT", "four-rooms");
        var layout = BuiltInLayouts.Get(layoutName);
        var log = new StringWriter();
        void Say(string s) { TestContext.Out.WriteLine(s); Console.Error.WriteLine(s); log.WriteLine(s); }

        int tau = Int("TAU", 8), m = Int("M", 4);
        TrainedHierarchy hierarchy;
        if (File.Exists(Path.Combine(dir, "hierarchy.json")))
        {
            hierarchy = TrainedHierarchy.Load(dir);
            Say($"loaded {dir}: time-scales {string.Join(",", hierarchy.TimeScales())}");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            var data = DataCollector.Collect(layout, new CollectOptions { Episodes = Int("EPISODES", 400), Steps = Int("STEPS", 100), Seed = 1 });
            Say($"collected {data.Episodes}x{data.Steps} in {clock.Elapsed.TotalSeconds:F1}s");
            var options = new HierarchyTrainingOptions
            {
                Level0 = new JepaOptions { Seed = 0, Threads = 2, MaxDuration = TimeSpan.FromSeconds(Int("L0SECONDS", 120)) },
                Macro = new MacroLevelOptions { MacroActionDim = m, Seed = 0, Threads = 2 },
                TimeScales = [tau],
            };
            clock.Restart();
            hierarchy = HierarchyTrainer.Train(data, 2, options, new HierarchyProgressBar(Console.Error, interactive: false), dir);
            Say($"trained in {clock.Elapsed.TotalSeconds:F1}s: level 0 {hierarchy.Level0.Summary}; level 1 {hierarchy.MacroLevels[0].Summary}");
        }
        using var _ = hierarchy;
        var level0 = hierarchy.Level0;
        var level1 = hierarchy.MacroLevels[0];
        if (Env("RETRAIN1", "0") == "1")
        {
            // A different level 1 (PLANNER_EXP_TAU, _M) over the same level 0, cached in <dir>/level1-tau{tau}-m{m}.
            string path = Path.Combine(dir, $"level1-tau{tau}-m{m}-e{new MacroLevelOptions().Epochs}");
            if (File.Exists(Path.Combine(path, "level.json"))) level1 = TrainedMacroLevel.Load(path, level0);
            else
            {
                var data = DataCollector.Collect(layout, new CollectOptions { Episodes = Int("EPISODES", 400), Steps = Int("STEPS", 100), Seed = 1 });
                level1 = MacroActionTrainer.Train(level0, data, new MacroLevelOptions { TimeScale = tau, MacroActionDim = m, Seed = 0, Threads = 1 }, new TrainingProgressBar(Console.Error, interactive: false));
                level1.Save(path);
                Say($"trained level 1 tau={tau} M={m}: {level1.Summary}");
            }
        }
        tau = level1.TimeScale;
        m = level1.MacroActionDim;

        if (Int("EVALMODEL", 1) == 1)
        {
            var heldOut = DataCollector.Collect(layout, new CollectOptions { Episodes = 50, Steps = 100, Seed = 99 });
            Say("level 0 on held-out episodes:\n" + WorldModelEvaluation.Evaluate(level0, heldOut, new EvaluationOptions { Horizons = [1, 8, 32] }));
            Say("level 1 on held-out episodes:\n" + MacroLevelEvaluation.Evaluate(level0, level1, heldOut, macroSteps: 6));
        }

        // Evaluation tasks: far goals.
        var maze = new PointMassMaze(layout);
        int taskCount = Int("TASKS", 20), maxSteps = Int("MAXSTEPS", 200);
        var tasks = TaskSampler.Sample(maze, new TaskSamplingOptions { Count = taskCount, Seed = 7, MinCells = Int("MINCELLS", 8), MaxCells = Int("MAXCELLS", int.MaxValue) });
        Say($"tasks: {taskCount} on {layoutName}, geodesic cells {tasks.Min(t => t.GeodesicCells)}..{tasks.Max(t => t.GeodesicCells)} (mean {tasks.Average(t => t.GeodesicCells):F1}), max {maxSteps} steps, success radius {MazeTask.DefaultSuccessRadius}");

        var encoder = new TorchEncoderAdapter(level0);
        var base0 = new ResidualMlp(level0.LatentDim, level0.ActionDim, level0.PredictorWeights());
        var macro1 = new ResidualMlp(level1.LatentDim, m, level1.PredictorWeights());
        int s = level0.LatentDim, batch = tasks.Length;
        int h0 = Int("H0", 16), h1 = Int("H1", 6), cand = Int("CAND", 128), iters = Int("ITERS", 6), replan0 = Int("REPLAN0", 4);
        int flatH = Int("FLATH", h0);
        float stepW = Float("STEPW", 0.1f), termW = Float("TERMW", 1f);
        int subgoalStep = Int("SUBGOALSTEP", 1);

        HierarchyLevel Base(int horizon, int seed) =>
            new(new CemPlanner(new ManagedRolloutEvaluator(base0, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, stepW, termW)), threads: 2),
                    new PlanningOptions { Horizon = horizon, Candidates = cand, Iterations = iters, Bounds = ActionBounds.Uniform(level0.ActionDim, -1, 1), Seed = seed }, batch),
                new DynamicsPredictor(base0), new LevelOptions { TimeScale = 1, ReplanEvery = replan0 });

        string mode = Env("MODE", "both");
        // A linear probe latent -> position, to see where subgoals and plans lie (diagnostics only).
        var probeData = DataCollector.Collect(layout, new CollectOptions { Episodes = 50, Steps = 100, Seed = 98 });
        int probeRows = probeData.Episodes * (probeData.Steps + 1);
        s_probe = LinearProbe.Fit(level0.Encode(probeData.Observations, probeRows), s, probeData.Positions, 2);
        var probe = s_probe;
        if (mode == "probe")
        {
            var planner = new CemPlanner(new ManagedRolloutEvaluator(macro1, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, Float("STEPW1", 1f), Float("TERMW1", 1f))), threads: 2),
                new PlanningOptions { Horizon = h1, Candidates = cand, Iterations = Int("ITERS1", 10), Bounds = ActionBounds.Uniform(m, -1, 1), Seed = 2 }, 1);
            var dyn = new DynamicsPredictor(macro1);
            var env = new MazeEnvironment(layout);
            var o = new float[env.Observer.Dim];
            var zs = new float[s];
            var zg = new float[s];
            var pred = new float[h1 * s];
            var xy = new float[h1 * 2];
            for (int i = 0; i < 5; i++)
            {
                env.Reset(tasks[i]);
                env.Observe(o);
                level0.Encode(o, 1, zs);
                env.ObserveGoal(o);
                level0.Encode(o, 1, zg);
                planner.Plan(zs, zg);
                dyn.Predict(zs, planner.BestPlan, 1, h1, pred);
                probe.Predict(pred, xy);
                Say($"task {i}: start ({tasks[i].StartX:F1},{tasks[i].StartY:F1}) goal ({tasks[i].GoalX:F1},{tasks[i].GoalY:F1}) cells {tasks[i].GeodesicCells}; plan: "
                    + string.Join(" ", Enumerable.Range(0, h1).Select(j => $"({xy[2 * j]:F1},{xy[2 * j + 1]:F1})")));
            }
            planner.Dispose();
            return;
        }
        if (mode is "both" or "flat")
        {
            using var flat = new HierarchicalController(encoder, [Base(flatH, 1)]);
            Say(Run("flat CEM", flat, layout, tasks, maxSteps) + $"  [H={flatH}, N={cand}, iters={iters}, replan every {replan0}]");
        }
        if (mode is "both" or "hier")
        {
            var top = new HierarchyLevel(
                new CemPlanner(new ManagedRolloutEvaluator(macro1, new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, Float("STEPW1", 1f), Float("TERMW1", 1f)), new ActionMagnitudeCost(Float("ACT1", 0))), threads: 2),
                    new PlanningOptions { Horizon = h1, Candidates = Int("CAND1", cand), Iterations = Int("ITERS1", 10), Bounds = ActionBounds.Uniform(m, -Float("BOUND1", 1), Float("BOUND1", 1)), Seed = 2 }, batch),
                new DynamicsPredictor(macro1),
                new LevelOptions { TimeScale = tau, ReplanEvery = Int("REPLAN1", tau), SubgoalStep = subgoalStep, SubgoalReachedRadius = Float("REACHED", 0) });
            using var hier = new HierarchicalController(encoder, [Base(h0, 1), top]);
            Say(Run("2-level", hier, layout, tasks, maxSteps) + $"  [tau={tau}, M={m}, H1={h1}, H0={h0}, SubgoalStep={subgoalStep}, N={cand}, N1={Int("CAND1", cand)}, iters={iters}, iters1={Int("ITERS1", 10)}, replan1={Int("REPLAN1", tau)}, reached={Float("REACHED", 0)}, bound1={Float("BOUND1", 1)}, act1={Float("ACT1", 0)}, stepw1={Float("STEPW1", 1f)}]");
        }
        File.AppendAllText(Path.Combine(dir, "results.txt"), log.ToString());
    }

    private static LinearProbe? s_probe;

    private static string Run(string name, HierarchicalController controller, MazeLayout layout, MazeTask[] tasks, int maxSteps)
    {
        int batch = tasks.Length;
        var envs = new MazeEnvironment[batch];
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            envs[b] = new MazeEnvironment(layout);
            envs[b].Reset(tasks[b]);
            o = envs[b].Observer.Dim;
        }
        var obs = new float[batch * o];
        var goals = new float[batch * o];
        var actions = new float[batch * 2];
        for (int b = 0; b < batch; b++) envs[b].ObserveGoal(goals.AsSpan(b * o, o));
        controller.SetGoalObservations(goals);
        var reached = new int[batch];
        Array.Fill(reached, -1);
        var clock = Stopwatch.StartNew();
        long evaluations = 0;
        for (int t = 0; t < maxSteps; t++)
        {
            for (int b = 0; b < batch; b++) envs[b].Observe(obs.AsSpan(b * o, o));
            evaluations += controller.Act(obs, actions).ModelEvaluations;
            for (int b = 0; b < batch; b++)
            {
                if (reached[b] >= 0) continue; // a robot that reached its goal stays there (counted as success)
                envs[b].Step(actions.AsSpan(b * 2, 2));
                if (envs[b].IsSuccess()) reached[b] = t + 1;
            }
            if (reached.All(r => r >= 0)) break;
            if (Env("TRACE", "0") == "1" && t % 8 == 0 && s_probe is not null)
            {
                var xy = new float[2];
                s_probe.Predict(controller.GoalOf(0).Slice(0, s_probe.InputDim), xy);
                Console.Error.WriteLine($"  {name} t={t}: robot0 at ({envs[0].Position.X:F1},{envs[0].Position.Y:F1}) level-0 goal decodes to ({xy[0]:F1},{xy[1]:F1}); task goal ({tasks[0].GoalX:F1},{tasks[0].GoalY:F1})");
            }
            if ((t + 1) % 50 == 0) Console.Error.WriteLine($"  {name}: step {t + 1}, reached {reached.Count(r => r >= 0)}/{batch}, {clock.Elapsed.TotalSeconds:F0}s");
        }
        int success = reached.Count(r => r >= 0);
        double meanSteps = success > 0 ? reached.Where(r => r >= 0).Average() : double.NaN;
        double finalDist = 0;
        for (int b = 0; b < batch; b++) finalDist += reached[b] >= 0 ? 0 : tasks[b].DistanceToGoal(envs[b].Position.X, envs[b].Position.Y);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: success {success}/{batch} ({100.0 * success / batch:F0}%), mean steps of successes {meanSteps:F1}, mean final distance of failures {(batch - success > 0 ? finalDist / (batch - success) : 0):F2}, model evals {evaluations / 1e6:F1}M, {clock.Elapsed.TotalSeconds:F1}s");
    }

    /// <summary>The level-0 Torch encoder (with its normalisation) as a Core encoder.</summary>
    private sealed class TorchEncoderAdapter(TrainedWorldModel model) : IEncoder
    {
        public int ObservationDim => model.ObservationDim;
        public int LatentDim => model.LatentDim;
        public void Encode(ReadOnlySpan<float> observations, Span<float> latents, int rows) => model.Encode(observations, rows, latents);
    }
}
