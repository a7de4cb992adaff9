using System.Text.Json;
using Planner.Cli;

namespace Planner.Tests.Cli;

/// <summary>The planner command: exit codes (0 ok, 2 usage error, 1 internal error) and its JSON.</summary>
public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [TestCase("bench", "--frobnicate")]
    [TestCase("bench", "--samples", "zero")]
    [TestCase("bench", "--samples", "0")]
    [TestCase("bench", "--planner", "sgd")]
    [TestCase("bench", "--deadline-ms", "0")]
    [TestCase("bench", "--horizon")]
    [TestCase("launch-rockets")]
    public void UsageErrorsExitWithTwoAndOneLineOnStderr(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.That(code, Is.EqualTo(2));
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("planner"));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void UnknownFlagMessageNamesTheFlag()
    {
        var (_, _, err) = Run("bench", "--frobnicate");
        Assert.That(err, Does.Contain("--frobnicate"));
    }

    [Test]
    public void HelpExitsWithZero()
    {
        var (code, output, _) = Run("bench", "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("--planner gd|cem|mppi|hybrid"));
    }

    [TestCase("gd")]
    [TestCase("cem")]
    [TestCase("mppi")]
    [TestCase("hybrid")]
    public void BenchPrintsOneJsonObjectWithTheRequiredFields(string planner)
    {
        var (code, output, err) = Run("bench", "--planner", planner, "--samples", "4", "--horizon", "4", "--iters", "3", "--state", "4",
            "--action", "2", "--hidden", "8", "--repeats", "3", "--warmup", "1", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (var field in new[] { "median_ms", "p90_ms", "p99_ms", "zero_action_cost", "final_cost" })
            Assert.That(root.GetProperty(field).GetDouble(), Is.GreaterThanOrEqualTo(0), field);
        Assert.That(root.GetProperty("final_cost").GetDouble(), Is.LessThanOrEqualTo(root.GetProperty("zero_action_cost").GetDouble()));
        Assert.That(root.GetProperty("config").GetProperty("planner").GetString(), Is.Not.Empty);
        Assert.That(root.GetProperty("config").GetProperty("samples").GetInt32(), Is.EqualTo(4));
    }

    [Test]
    public void CompareAndPeakReportBothBackendsAndTheEfficiency()
    {
        var (code, output, err) = Run("bench", "--compare", "--peak", "--samples", "4", "--horizon", "4", "--iters", "3", "--state", "4",
            "--action", "2", "--hidden", "16", "--repeats", "2", "--warmup", "1", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var compare = root.GetProperty("compare");
        Assert.That(compare.GetProperty("managed").GetProperty("final_cost").GetDouble(),
            Is.EqualTo(compare.GetProperty("torch").GetProperty("final_cost").GetDouble()).Within(1e-3).Percent, "same problem, same plan");
        Assert.That(compare.GetProperty("speedup_managed_over_torch").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("peak_gflops").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("efficiency").GetDouble(), Is.GreaterThan(0));
    }

    [TestCase("torch")]
    [TestCase("managed")]
    public void LqBenchReportsTheOptimumAndTheBoundedComparison(string backend)
    {
        var (code, output, err) = Run("bench", "--problem", "lq", "--backend", backend, "--state", "4", "--action", "2", "--horizon", "6",
            "--samples", "8", "--iters", "10", "--repeats", "2", "--warmup", "0", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        double optimal = root.GetProperty("optimal_cost").GetDouble();
        Assert.That(root.GetProperty("gd_unconstrained_cost").GetDouble(), Is.EqualTo(optimal).Within(0.005 * optimal));
        var bounded = root.GetProperty("bounded_comparison");
        double gd = bounded.GetProperty("gd").GetProperty("cost").GetDouble();
        Assert.That(gd, Is.LessThan(bounded.GetProperty("cem").GetProperty("cost").GetDouble()));
        Assert.That(gd, Is.LessThan(bounded.GetProperty("mppi").GetProperty("cost").GetDouble()));
    }

    [Test]
    public void TickLoopReportsLatencyOverrunsAndMemoryAndNeverAnInvalidAction()
    {
        var (code, output, err) = Run("bench", "--backend", "managed", "--planner", "cem", "--ticks", "200", "--deadline-ms", "2", "--samples", "8", "--horizon", "8",
            "--iters", "1000000", "--state", "8", "--action", "2", "--hidden", "32", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var ticks = doc.RootElement.GetProperty("ticks");
        Assert.That(ticks.GetProperty("count").GetInt32(), Is.EqualTo(200));
        Assert.That(ticks.GetProperty("invalid_actions").GetInt32(), Is.Zero);
        // CEM never stops early, and a million iterations cannot fit in 2 ms on any machine: every tick stops at the
        // deadline. (The gradient planner with 1000 iterations converged within 2 ms on some ticks of an idle machine.)
        Assert.That(ticks.GetProperty("deadline_stops").GetInt32(), Is.EqualTo(200));
        Assert.That(ticks.GetProperty("mean_iterations").GetDouble(), Is.LessThan(1_000_000));
        foreach (var field in new[] { "p99_ms", "overruns", "managed_heap_start_bytes", "managed_heap_end_bytes", "working_set_end_bytes", "allocated_bytes" })
            Assert.That(ticks.TryGetProperty(field, out _), Is.True, field);
    }
}

public class CliExitCodeTests
{
    [Test]
    public void InternalErrorsExitWithOneAndOneLine()
    {
        var stderr = new StringWriter();
        int code = CommandLine.Guarded("bench", stderr, () => throw new InvalidOperationException("boom"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.ToString().Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr.ToString(), Does.Contain("internal error: boom"));
    }

    [TestCase("eval", "--model", "/nonexistent/model", "--env", "maze:two-rooms")]
    [TestCase("eval", "--model", "/tmp", "--env", "maze:no-such-layout")]
    [TestCase("train", "--data", "/nonexistent.npz", "--out", "/tmp/x")]
    [TestCase("eval-model", "--model", "/nonexistent", "--data", "/nonexistent.npz")]
    [TestCase("collect", "--env", "two-rooms", "--out", "/tmp/x.npz")]
    [TestCase("collect", "--env", "maze:two-rooms")]
    [TestCase("collect", "--env", "maze:two-rooms", "--out", "/tmp/x.npz", "--theta", "1.5")]
    [TestCase("collect", "--env", "maze:two-rooms", "--out", "/tmp/x.npz", "--resample", "-0.1")]
    [TestCase("train", "--data", "/nonexistent.npz", "--out", "/tmp/x", "--predictor-hidden", "64,0")]
    public void MissingOrBadInputsExitWithTwo(params string[] args)
    {
        var (code, _, err) = CliTests.Run(args);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
    }

    [TestCase("--avoid-radius", "0")]
    [TestCase("--stuck-ticks", "-1")]
    [TestCase("--reach-radius", "-0.5")]
    [TestCase("--stuck-distance", "x")]
    public void BadEvalFlagsAreNamedBeforeTheModelIsOpened(string flag, string value)
    {
        var (code, _, err) = CliTests.Run("eval", "--model", "/nonexistent/model", "--env", "maze:open", flag, value);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err, Does.Contain(flag), "the message names the flag, not the missing model");
    }

    [Test]
    public void ACorruptedCheckpointExitsWithTwoAndNamesTheFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-bad-model-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "model.json"), "{ \"format\": \"planner-world-model\" ");
            File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), new byte[10]);
            var (code, _, err) = CliTests.Run("eval", "--model", dir, "--env", "maze:two-rooms", "--episodes", "1");
            Assert.That(code, Is.EqualTo(2), err);
            Assert.That(err, Does.Contain("model.json"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void CollectExplorationFlagsChangeTheDataAndAreRecorded()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-collect-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string ou = Path.Combine(dir, "ou.npz"), straight = Path.Combine(dir, "straight.npz");
            Assert.That(CliTests.Run("collect", "--env", "maze:open", "--episodes", "8", "--steps", "40", "--out", ou).Code, Is.EqualTo(0));
            var (code, _, err) = CliTests.Run("collect", "--env", "maze:open", "--episodes", "8", "--steps", "40", "--out", straight,
                "--theta", "0", "--sigma", "0", "--resample", "0");
            Assert.That(code, Is.EqualTo(0), err);
            var a = Planner.Data.TrajectoryDatasetFile.Load(ou);
            var b = Planner.Data.TrajectoryDatasetFile.Load(straight);
            Assert.That(b.Metadata["noise"], Does.Contain("theta=0 sigma=0 resample=0"));
            Assert.That(a.Metadata["noise"], Does.Contain("theta=0.15 sigma=0.3 resample=0.05"), "defaults unchanged");
            // No noise and no resampling: every episode holds its first action for all its steps.
            for (int e = 0; e < b.Episodes; e++)
                for (int t = 1; t < b.Steps; t++)
                    Assert.That(b.Action(e, t).ToArray(), Is.EqualTo(b.Action(e, 0).ToArray()), $"episode {e} step {t}");
            Assert.That(a.Actions, Is.Not.EqualTo(b.Actions));
        }
        finally { Directory.Delete(dir, true); }
    }
}
