using CsCheck;
using Planner.Checkpoints;
using Planner.Control;
using Planner.Data;
using Planner.Environments.Mazes;
using Planner.Planning;
using Planner.Tests.Support;

namespace Planner.Tests.Robustness;

/// <summary>
/// Property and fuzz tests: random sizes, bounds and observations (NaN, infinities, huge values) and random bytes as
/// files never crash, hang or yield a non-finite or out-of-bounds action. A longer run: PLANNER_FUZZ_SCALE=1000 (README).
/// </summary>
public class FuzzTests
{
    /// <summary>Multiplies every iteration count: <c>PLANNER_FUZZ_SCALE=1000</c> for a long fuzz run (CI uses 1).</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("PLANNER_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;

    private static readonly Gen<float> WildFloat = Gen.OneOf(
        Gen.Float[-10f, 10f], Gen.Const(float.NaN), Gen.Const(float.PositiveInfinity), Gen.Const(float.NegativeInfinity),
        Gen.Const(float.MaxValue), Gen.Const(-float.MaxValue), Gen.Float[-1e30f, 1e30f]);

    [Test]
    public void ControllerAlwaysReturnsFiniteInBoundsActions()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[1, 6], Gen.Int[1, 8], Gen.Int[0, 3], Gen.Float[0.01f, 3f], Gen.Int[0, 10_000])
            .Select((s, b, h, n, kind, width, seed) => (s, b, h, n, kind, width, seed))
            .SelectMany(c => WildFloat.Array[c.b * (c.s + 2) * 4].Select(obs => (c, obs)))
            .Sample(sample =>
            {
                var (c, obs) = sample;
                var lq = Fixtures.Lq(s: c.s + 2, a: 2, seed: c.seed);
                using var evaluator = Fixtures.ManagedLq(lq);
                var bounds = ActionBounds.Uniform(2, -c.width, c.width * 0.5f);
                var options = new PlanningOptions { Horizon = c.h, Candidates = c.n, Iterations = 3, Bounds = bounds, Seed = c.seed };
                var planner = PlannerFactory.Create((PlannerKind)c.kind, evaluator, options, c.b);
                using var controller = new RecedingHorizonController(new IdentityEncoder(c.s + 2), planner,
                    new ControllerOptions { InvalidObservation = InvalidObservationPolicy.Fallback });
                controller.SetGoalLatents(new float[c.b * (c.s + 2)]);
                var u = new float[c.b * 2];
                int o = c.b * (c.s + 2);
                for (int tick = 0; tick < 4; tick++)
                {
                    controller.Act(obs.AsSpan(tick * o, o), u);
                    if (!bounds.Contains(u)) return false;
                }
                return true;
            }, iter: 60 * Scale);
    }

    [Test]
    public void RandomTextAsALayoutIsRejectedCleanly()
    {
        Gen.String[Gen.Char["#.OSG x\n\r\t"], 0, 80].Sample(text =>
        {
            try
            {
                var layout = MazeLayout.Parse(text);
                return layout.FreeCells.Count > 0;
            }
            catch (LayoutFormatException) { return true; }
            catch (ArgumentException) { return true; }
        }, iter: 500 * Scale);
    }

    [Test]
    public void RandomBytesAsADatasetFileAreRejectedCleanly()
    {
        string path = Path.Combine(Path.GetTempPath(), $"planner-fuzz-{Guid.NewGuid():N}.npz");
        try
        {
            Gen.Byte.Array[0, 600].Sample(bytes =>
            {
                File.WriteAllBytes(path, bytes);
                try { TrajectoryDatasetFile.Load(path); return false; }
                catch (InvalidDataException e) { return e.Message.Contains(path, StringComparison.Ordinal); }
            }, iter: 300 * Scale);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void RandomBytesAsACheckpointAreRejectedCleanly()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"planner-fuzz-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            Gen.Select(Gen.Byte.Array[0, 400], Gen.Byte.Array[0, 400]).Sample((json, weights) =>
            {
                File.WriteAllBytes(Path.Combine(dir, WorldModelCheckpoint.MetadataFileName), json);
                File.WriteAllBytes(Path.Combine(dir, WorldModelCheckpoint.WeightsFileName), weights);
                try { WorldModelCheckpoint.Load(dir); return false; }
                catch (CheckpointException e) { return e.Message.Contains(dir, StringComparison.Ordinal); }
            }, iter: 300 * Scale);
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class ConfigurationKeyTests
{
    [Test]
    public void UnknownOrMistypedKeysInModelJsonAreRejectedNamingTheKey()
    {
        string source = Support.RepositoryFiles.Path("models", "demo");
        string dir = Path.Combine(Path.GetTempPath(), $"planner-keys-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            string json = Path.Combine(dir, WorldModelCheckpoint.MetadataFileName);
            string original = File.ReadAllText(json);
            Assert.That(() => WorldModelCheckpoint.Load(dir), Throws.Nothing);

            File.WriteAllText(json, original.Replace("\"latentDim\"", "\"latentDimm\"", StringComparison.Ordinal));
            var unknown = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(dir));
            Assert.That(unknown!.Message, Does.Contain("latentDimm"));

            File.WriteAllText(json, System.Text.RegularExpressions.Regex.Replace(original, "\"latentDim\": *[0-9]+", "\"latentDim\": \"sixteen\""));
            var mistyped = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(dir));
            Assert.That(mistyped!.Message, Does.Contain("latentDim"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
