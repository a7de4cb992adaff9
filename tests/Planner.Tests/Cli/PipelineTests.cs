using System.Text.Json;

namespace Planner.Tests.Cli;

/// <summary>The README's workflow end to end on a tiny budget: collect, train, eval-model, eval (with plot).</summary>
public class PipelineTests
{
    [Test]
    public void CollectTrainEvaluatePlanAndPlot()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-pipeline-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data.npz"), model = Path.Combine(dir, "model"), plot = Path.Combine(dir, "eval.png");
            var (code, _, err) = CliTests.Run("collect", "--env", "maze:open", "--episodes", "12", "--steps", "16", "--seed", "3", "--out", data);
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(File.Exists(data), Is.True);

            (code, var output, err) = CliTests.Run("train", "--data", data, "--out", model, "--epochs", "2", "--latent", "4", "--prediction-steps", "4", "--threads", "1");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("wrote"));

            (code, output, err) = CliTests.Run("eval-model", "--model", model, "--data", data, "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using (var report = JsonDocument.Parse(output))
            {
                Assert.That(report.RootElement.GetProperty("prediction").GetArrayLength(), Is.EqualTo(3));
                Assert.That(report.RootElement.GetProperty("embedding_std").GetArrayLength(), Is.EqualTo(4));
            }

            (code, output, err) = CliTests.Run("eval", "--model", model, "--env", "maze:open", "--episodes", "3", "--max-steps", "20",
                "--samples", "2", "--horizon", "4", "--iters", "2", "--json", "--plot", plot);
            Assert.That(code, Is.EqualTo(0), err);
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            Assert.That(root.GetProperty("episodes").GetInt32(), Is.EqualTo(3));
            foreach (var field in new[] { "success_rate", "plan_ms_median", "plan_ms_p99", "model_evals_per_step" })
                Assert.That(root.GetProperty(field).ValueKind, Is.EqualTo(JsonValueKind.Number), field);
            Assert.That(root.TryGetProperty("mean_steps", out _), Is.True);
            var bins = root.GetProperty("bins");
            Assert.That(bins.GetArrayLength(), Is.GreaterThan(0));
            foreach (var bin in bins.EnumerateArray())
                foreach (var field in new[] { "min_cells", "max_cells", "episodes", "success_rate", "mean_steps" })
                    Assert.That(bin.TryGetProperty(field, out _), Is.True, field);
            Assert.That(File.ReadAllBytes(plot).AsSpan(1, 3).ToArray(), Is.EqualTo("PNG"u8.ToArray()));
            var episodes = root.GetProperty("episode_results");
            Assert.That(episodes.GetArrayLength(), Is.EqualTo(3), "one row per episode");
            int successes = 0;
            foreach (var e in episodes.EnumerateArray())
            {
                bool success = e.GetProperty("success").GetBoolean();
                successes += success ? 1 : 0;
                Assert.That(e.GetProperty("steps").GetInt32(), success ? Is.InRange(1, 20) : Is.EqualTo(20));
                Assert.That(e.GetProperty("remaining_cells").GetInt32(), Is.GreaterThanOrEqualTo(success ? 0 : -1));
                foreach (var field in new[] { "cells", "start_x", "start_y", "goal_x", "goal_y" })
                    Assert.That(e.TryGetProperty(field, out _), Is.True, field);
            }
            Assert.That(successes, Is.EqualTo((int)Math.Round(root.GetProperty("success_rate").GetDouble() * 3)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void TrainAndEvaluateAHierarchy()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-hier-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data.npz"), model = Path.Combine(dir, "model");
            var (code, _, err) = CliTests.Run("collect", "--env", "maze:open", "--episodes", "10", "--steps", "24", "--seed", "4", "--out", data);
            Assert.That(code, Is.EqualTo(0), err);
            (code, var output, err) = CliTests.Run("train", "--data", data, "--out", model, "--levels", "2", "--tau", "4", "--epochs", "2",
                "--latent", "4", "--prediction-steps", "4", "--threads", "1");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("2 levels"));

            (code, output, err) = CliTests.Run("eval", "--model", model, "--env", "maze:open", "--planner", "hier", "--episodes", "2", "--max-steps", "12",
                "--samples", "2", "--horizon", "4", "--iters", "2", "--high-samples", "8", "--high-horizon", "3", "--high-iters", "2", "--json",
                "--reach-radius", "0.5", "--stuck-ticks", "4", "--stuck-distance", "1", "--avoid-radius", "2", "--avoid-weight", "10",
                "--plot", Path.Combine(dir, "fail.png"), "--plot-failures");
            Assert.That(code, Is.EqualTo(0), err);
            using var doc = JsonDocument.Parse(output);
            Assert.That(doc.RootElement.GetProperty("planner").GetString(), Is.EqualTo("hier"));
            Assert.That(doc.RootElement.GetProperty("model_evals_per_step").GetDouble(), Is.GreaterThan(0));
            Assert.That(File.Exists(Path.Combine(dir, "fail.png")), Is.True, "--plot-failures writes a plot (of the failures, or none)");

            // Both agents on the same tasks in one process: each agent's episodes are those of its own run (the
            // interleaving shares nothing between them), and the ratios are those of the two reports.
            string[] common = ["eval", "--model", model, "--env", "maze:open", "--episodes", "3", "--max-steps", "10", "--samples", "2", "--horizon", "4",
                "--iters", "2", "--high-samples", "8", "--high-horizon", "3", "--high-iters", "2", "--reach-radius", "0", "--direct-radius", "0",
                "--wander-ticks", "4", "--wander-distance", "0.5", "--avoid-at", "blockage", "--json"];
            (code, output, err) = CliTests.Run([.. common, "--planner", "both"]);
            Assert.That(code, Is.EqualTo(0), err);
            using var both = JsonDocument.Parse(output);
            foreach (string agent in new[] { "flat", "hier" })
            {
                (code, var alone, err) = CliTests.Run([.. common, "--planner", agent]);
                Assert.That(code, Is.EqualTo(0), err);
                using var single = JsonDocument.Parse(alone);
                var x = both.RootElement.GetProperty(agent).GetProperty("episode_results");
                var y = single.RootElement.GetProperty("episode_results");
                Assert.That(x.GetArrayLength(), Is.EqualTo(3));
                for (int i = 0; i < 3; i++)
                    foreach (string field in new[] { "cells", "steps", "top_plans" })
                        Assert.That(x[i].GetProperty(field).GetInt32(), Is.EqualTo(y[i].GetProperty(field).GetInt32()), $"{agent} episode {i} {field}");
                Assert.That(both.RootElement.GetProperty(agent).GetProperty("model_evals_per_step").GetDouble(),
                    Is.EqualTo(single.RootElement.GetProperty("model_evals_per_step").GetDouble()));
            }
            // --episode replays one row of a report: the same task, the same outcome.
            (code, var full, err) = CliTests.Run([.. common, "--planner", "hier"]);
            Assert.That(code, Is.EqualTo(0), err);
            (code, var one, err) = CliTests.Run([.. common, "--planner", "hier", "--episode", "2"]);
            Assert.That(code, Is.EqualTo(0), err);
            using (var fullDoc = JsonDocument.Parse(full))
            using (var oneDoc = JsonDocument.Parse(one))
            {
                var row = oneDoc.RootElement.GetProperty("episode_results");
                Assert.That(row.GetArrayLength(), Is.EqualTo(1));
                foreach (string field in new[] { "cells", "steps", "top_plans", "remaining_cells" })
                    Assert.That(row[0].GetProperty(field).GetInt32(), Is.EqualTo(fullDoc.RootElement.GetProperty("episode_results")[2].GetProperty(field).GetInt32()), field);
                Assert.That(row[0].GetProperty("start_x").GetDouble(), Is.EqualTo(fullDoc.RootElement.GetProperty("episode_results")[2].GetProperty("start_x").GetDouble()));
            }
            (code, _, err) = CliTests.Run([.. common, "--planner", "hier", "--episode", "3"]);
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--episode 3"));

            Assert.That(both.RootElement.GetProperty("flat").GetProperty("episode_results")[0].GetProperty("top_plans").GetInt32(), Is.Zero);
            Assert.That(both.RootElement.GetProperty("hier").GetProperty("episode_results")[0].GetProperty("top_plans").GetInt32(), Is.GreaterThan(0));
            double ratio = both.RootElement.GetProperty("hier_over_flat").GetProperty("all").GetProperty("plan_ms_median").GetDouble();
            double p50Hier = both.RootElement.GetProperty("hier").GetProperty("plan_ms_median").GetDouble();
            double p50Flat = both.RootElement.GetProperty("flat").GetProperty("plan_ms_median").GetDouble();
            Assert.That(ratio, Is.EqualTo(p50Hier / p50Flat).Within(0.1).Percent);

            // --check-plans: the top level's first plans checked against the walls, no episodes.
            (code, output, err) = CliTests.Run("eval", "--model", model, "--env", "maze:open", "--check-plans", "--episodes", "5",
                "--high-samples", "8", "--high-horizon", "3", "--high-iters", "2", "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using (var check = JsonDocument.Parse(output))
            {
                Assert.That(check.RootElement.GetProperty("plans").GetInt32(), Is.EqualTo(5));
                Assert.That(check.RootElement.GetProperty("horizon").GetInt32(), Is.EqualTo(3));
                var rollout = check.RootElement.GetProperty("rollouts")[0];
                Assert.That(rollout.GetProperty("name").GetString(), Is.EqualTo("handed down"));
                // The open room has no inner walls: no step can go through one.
                Assert.That(rollout.GetProperty("wall_anywhere").GetDouble(), Is.Zero);
            }

            // A flat model cannot be evaluated as a hierarchy: a clear usage error.
            string flat = Path.Combine(dir, "flat");
            CliTests.Run("train", "--data", data, "--out", flat, "--epochs", "1", "--latent", "4", "--prediction-steps", "4", "--threads", "1");
            (code, _, err) = CliTests.Run("eval", "--model", flat, "--env", "maze:open", "--planner", "hier", "--episodes", "1");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--levels 2"));
            (code, _, err) = CliTests.Run("eval", "--model", flat, "--env", "maze:open", "--check-plans", "--episodes", "1");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--check-plans"));

            // Upper levels alone, over the flat model (copied unchanged), with the macro-level flags.
            string over = Path.Combine(dir, "over");
            (code, output, err) = CliTests.Run("train", "--data", data, "--base", flat, "--out", over, "--levels", "2", "--tau", "4", "--epochs", "1",
                "--macro-noise", "0.2", "--macro-steps", "2", "--macro-hidden", "16,16", "--threads", "1");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(File.ReadAllBytes(Path.Combine(over, "model.safetensors")), Is.EqualTo(File.ReadAllBytes(Path.Combine(flat, "model.safetensors"))));
            Assert.That(File.ReadAllText(Path.Combine(over, "level1", "level.json")), Does.Contain("\"macroNoise\": 0.2"));
            (code, _, err) = CliTests.Run("eval", "--model", over, "--env", "maze:open", "--planner", "hier", "--episodes", "1", "--max-steps", "4",
                "--samples", "2", "--horizon", "4", "--iters", "1", "--high-samples", "4", "--high-horizon", "2", "--high-iters", "1", "--high-bound", "0.5");
            Assert.That(code, Is.EqualTo(0), err);
            foreach (var (args, message) in new[]
            {
                (new[] { "--base", flat, "--out", Path.Combine(dir, "x") }, "--levels 2"),
                (new[] { "--base", flat, "--out", flat, "--levels", "2" }, "different directories"),
                (new[] { "--base", Path.Combine(dir, "none"), "--out", Path.Combine(dir, "y"), "--levels", "2" }, "does not exist"),
                (new[] { "--out", Path.Combine(dir, "z"), "--levels", "2", "--macro-hidden", "16,x" }, "comma-separated"),
            })
            {
                (code, _, err) = CliTests.Run(["train", "--data", data, .. args]);
                Assert.That(code, Is.EqualTo(2), string.Join(' ', args));
                Assert.That(err, Does.Contain(message));
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void BuildALandmarkGraphAndPlanAlongIt()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-landmarks-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data.npz"), model = Path.Combine(dir, "model"), flat = Path.Combine(dir, "flat");
            var (code, _, err) = CliTests.Run("collect", "--env", "maze:two-rooms", "--episodes", "10", "--steps", "24", "--seed", "4", "--out", data);
            Assert.That(code, Is.EqualTo(0), err);
            // train --landmarks builds the graph after training, from the same data.
            (code, var output, err) = CliTests.Run("train", "--data", data, "--out", model, "--levels", "2", "--tau", "4", "--epochs", "2",
                "--latent", "4", "--prediction-steps", "4", "--threads", "1", "--landmarks", "40");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("40 landmarks"));
            Assert.That(output, Does.Contain("edges through walls"), "maze data carry positions: the graph's error is reported");
            Assert.That(File.Exists(Path.Combine(model, "landmarks.json")), Is.True);

            string[] eval = ["eval", "--model", model, "--env", "maze:two-rooms", "--episodes", "2", "--max-steps", "8", "--samples", "2", "--horizon", "4",
                "--iters", "2", "--high-samples", "8", "--high-horizon", "3", "--high-iters", "2", "--reach-radius", "0", "--json"];
            foreach (var (planner, use) in new[] { ("hier", "upper"), ("flat", "all"), ("hier", "all") })
            {
                (code, output, err) = CliTests.Run([.. eval, "--planner", planner, "--landmarks", use]);
                Assert.That(code, Is.EqualTo(0), $"{planner} --landmarks {use}: {err}");
                using var doc = JsonDocument.Parse(output);
                Assert.That(doc.RootElement.GetProperty("episode_results").GetArrayLength(), Is.EqualTo(2));
            }

            // planner landmarks rebuilds it; a model without one is refused by eval --landmarks with the command to run.
            (code, output, err) = CliTests.Run("train", "--data", data, "--out", flat, "--epochs", "1", "--latent", "4", "--prediction-steps", "4", "--threads", "1", "--seed", "1");
            Assert.That(code, Is.EqualTo(0), err);
            (code, _, err) = CliTests.Run("eval", "--model", flat, "--env", "maze:two-rooms", "--episodes", "1", "--max-steps", "2", "--landmarks", "all");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("planner landmarks"));
            (code, output, err) = CliTests.Run("landmarks", "--model", flat, "--data", data, "--count", "30", "--min-transitions", "1", "--distances-to", "2,2");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("30 landmarks"));
            Assert.That(output, Does.Contain("goals placed behind a wall"));
            Assert.That(output, Does.Contain("to (col 2, row 2)"));
            Assert.That(output, Does.Contain("0.0/ 0.0"), "the goal's own cell");
            // Upper levels trained over it inherit its graph (same encoder), and the graph of another model is refused.
            string over = Path.Combine(dir, "over");
            (code, _, err) = CliTests.Run("train", "--data", data, "--base", flat, "--out", over, "--levels", "2", "--tau", "4", "--epochs", "1", "--threads", "1");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(File.ReadAllBytes(Path.Combine(over, "landmarks.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(flat, "landmarks.json"))));
            File.Copy(Path.Combine(flat, "landmarks.json"), Path.Combine(model, "landmarks.json"), overwrite: true);
            (code, _, err) = CliTests.Run([.. eval, "--planner", "hier", "--landmarks", "upper"]);
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("another encoder"));

            foreach (var (args, message) in new[]
            {
                (new[] { "landmarks", "--model", flat, "--data", data, "--count", "1" }, "--count"),
                (new[] { "landmarks", "--model", flat, "--data", data, "--distances-to", "0,0" }, "not a free cell"),
                (new[] { "landmarks", "--model", flat, "--data", data, "--distances-to", "3" }, "COLUMN,ROW"),
                (new[] { "landmarks", "--model", flat, "--data", Path.Combine(dir, "none.npz") }, "does not exist"),
                (new[] { "landmarks", "--model", flat, "--data", data, "--count", "50", "--candidates", "40" }, "--candidates"),
                (new[] { "landmarks", "--model", flat, "--data", data, "--count", "16000" }, "data hold only 250 latents"),
                (new[] { "landmarks", "--model", flat, "--data", data, "--count", "100000" }, "--count"),
                (new[] { "train", "--data", data, "--out", Path.Combine(dir, "x"), "--landmarks", "1" }, "--landmarks 1"),
                (new[] { "train", "--data", data, "--out", Path.Combine(dir, "x"), "--landmarks", "9999" }, "more than the data's"),
                (new[] { "eval", "--model", model, "--env", "maze:two-rooms", "--landmarks", "some" }, "--landmarks"),
            })
            {
                (code, _, err) = CliTests.Run(args);
                Assert.That(code, Is.EqualTo(2), string.Join(' ', args));
                Assert.That(err, Does.Contain(message), string.Join(' ', args));
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
