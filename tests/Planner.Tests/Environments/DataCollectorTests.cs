using Planner.Environments.Collection;
using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Environments.Physics;

namespace Planner.Tests.Environments;

public class DataCollectorTests
{
    [Test]
    public void StateDataHasConsistentShapesObservationsAndPositions()
    {
        var layout = BuiltInLayouts.Get("four-rooms");
        var options = new CollectOptions { Episodes = 12, Steps = 40, Seed = 3 };
        var data = DataCollector.Collect(layout, options);
        Assert.That((data.Episodes, data.Steps, data.ObservationDim, data.ActionDim, data.PositionDim), Is.EqualTo((12, 40, 4, 2, 2)));
        var maze = new PointMassMaze(layout, options.Physics);
        for (int e = 0; e < data.Episodes; e++)
            for (int t = 0; t <= data.Steps; t++)
            {
                var obs = data.Observation(e, t);
                float x = data.Positions[(e * 41 + t) * 2], y = data.Positions[(e * 41 + t) * 2 + 1];
                Assert.That(obs[0], Is.EqualTo(x / layout.Width).Within(1e-6f));
                Assert.That(obs[1], Is.EqualTo(y / layout.Height).Within(1e-6f));
                Assert.That(maze.IsValidPosition(x, y), Is.True);
            }
        Assert.That(data.Actions, Has.All.InRange(-1f, 1f));
        Assert.That(data.Metadata["layout"], Is.EqualTo("four-rooms"));
        Assert.That(data.Metadata["observation"], Is.EqualTo("state"));
        Assert.That(MazeLayout.Parse(data.Metadata["layout_text"]).ToText(), Is.EqualTo(layout.ToText()));
    }

    [Test]
    public void ReplayingTheRecordedActionsReproducesTheTrajectory()
    {
        var layout = BuiltInLayouts.Get("two-rooms");
        var options = new CollectOptions { Episodes = 3, Steps = 60, Seed = 8 };
        var data = DataCollector.Collect(layout, options);
        var maze = new PointMassMaze(layout, options.Physics);
        for (int e = 0; e < 3; e++)
        {
            var state = new float[4];
            maze.WriteRestingState(data.Positions[e * 61 * 2], data.Positions[e * 61 * 2 + 1], state);
            for (int t = 0; t < 60; t++)
            {
                maze.Step(state, data.Action(e, t), state);
                Assert.That(state[0], Is.EqualTo(data.Positions[(e * 61 + t + 1) * 2]));
                Assert.That(state[1], Is.EqualTo(data.Positions[(e * 61 + t + 1) * 2 + 1]));
            }
        }
    }

    [Test]
    public void DeterministicForASeedWhateverTheThreadCount()
    {
        var layout = BuiltInLayouts.Get("u-maze");
        var a = DataCollector.Collect(layout, new CollectOptions { Episodes = 16, Steps = 30, Seed = 42, MaxParallelism = 1 });
        var b = DataCollector.Collect(layout, new CollectOptions { Episodes = 16, Steps = 30, Seed = 42, MaxParallelism = 4 });
        var c = DataCollector.Collect(layout, new CollectOptions { Episodes = 16, Steps = 30, Seed = 43 });
        Assert.That(a.Observations, Is.EqualTo(b.Observations));
        Assert.That(a.Actions, Is.EqualTo(b.Actions));
        Assert.That(a.Positions, Is.EqualTo(b.Positions));
        Assert.That(a.Actions, Is.Not.EqualTo(c.Actions));
    }

    [Test]
    public void ActionsAreTemporallyCorrelatedAndTheAgentExplores()
    {
        var layout = BuiltInLayouts.Get("open");
        var data = DataCollector.Collect(layout, new CollectOptions { Episodes = 20, Steps = 100, Seed = 1 });
        double sameSign = 0, pairs = 0;
        var visited = new HashSet<CellIndex>();
        for (int e = 0; e < data.Episodes; e++)
            for (int t = 0; t < data.Steps; t++)
            {
                if (t > 0)
                {
                    sameSign += Math.Sign(data.Action(e, t)[0]) == Math.Sign(data.Action(e, t - 1)[0]) ? 1 : 0;
                    pairs++;
                }
                visited.Add(CellIndex.Containing(data.Positions[(e * 101 + t) * 2], data.Positions[(e * 101 + t) * 2 + 1]));
            }
        Assert.That(sameSign / pairs, Is.GreaterThan(0.75), "consecutive actions should mostly agree (correlated noise)");
        Assert.That(visited.Count, Is.EqualTo(layout.FreeCells.Count), "20 episodes should visit every cell of a 5x5 room");
    }

    [Test]
    public void PixelDataCarriesTheImageShapeAndReportsProgress()
    {
        var reports = new List<double>();
        var progress = new SynchronousProgress(reports);
        var data = DataCollector.Collect(BuiltInLayouts.Get("open"),
            new CollectOptions { Episodes = 4, Steps = 5, Observation = ObservationKind.Pixels, ImageSize = 32, Seed = 2 }, progress);
        Assert.That(data.ObservationDim, Is.EqualTo(32 * 32));
        Assert.That(data.ObservationShape, Is.EqualTo(new[] { 32, 32 }));
        Assert.That(data.Metadata["observation"], Is.EqualTo("pixels"));
        Assert.That((data.Metadata["imageHeight"], data.Metadata["imageWidth"]), Is.EqualTo(("32", "32")));
        Assert.That(reports, Has.Count.EqualTo(4));
        Assert.That(reports.Max(), Is.EqualTo(1.0));
        Assert.That(data.Observations, Has.All.InRange(0f, 1f));
    }

    [Test]
    public void InvalidOptionsNameTheSetting()
    {
        var layout = BuiltInLayouts.Get("open");
        Assert.That(() => DataCollector.Collect(layout, new CollectOptions { Episodes = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Episodes"));
        Assert.That(() => DataCollector.Collect(layout, new CollectOptions { Noise = new ExplorationNoise { Theta = 2 } }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Theta"));
        Assert.That(() => DataCollector.Collect(layout, new CollectOptions { Episodes = 100000, Steps = 1000, Observation = ObservationKind.Pixels }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("fewer episodes"));
    }

    [Test]
    public void EnvironmentIsRebuiltFromASavedDatasetsMetadata()
    {
        var layout = BuiltInLayouts.Get("u-maze");
        var physics = new PointMassOptions { MaxSpeed = 2.5f, Radius = 0.2f, Damping = 0.5f };
        var data = DataCollector.Collect(layout, new CollectOptions { Episodes = 2, Steps = 10, Seed = 4, Physics = physics, Observation = ObservationKind.Pixels, ImageSize = 24 });
        string path = Path.Combine(Path.GetTempPath(), $"planner-env-{Guid.NewGuid():N}.npz");
        try
        {
            Planner.Data.TrajectoryDatasetFile.Save(data, path);
            var source = CollectedEnvironment.FromMetadata(Planner.Data.TrajectoryDatasetFile.Load(path).Metadata);
            Assert.That(source.Layout.ToText(), Is.EqualTo(layout.ToText()));
            Assert.That(source.Physics, Is.EqualTo(physics));
            Assert.That((source.Observation, source.ImageSize), Is.EqualTo((ObservationKind.Pixels, 24)));
            // The rebuilt environment sees what the collector saw at the first position of episode 1.
            var env = source.CreateEnvironment();
            env.Reset(new Planner.Environments.Tasks.MazeTask(data.Positions[11 * 2], data.Positions[11 * 2 + 1], 1.5f, 1.5f, 0));
            var obs = new float[24 * 24];
            env.Observe(obs);
            Assert.That(obs, Is.EqualTo(data.Observation(1, 0).ToArray()));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.That(() => CollectedEnvironment.FromMetadata(new Dictionary<string, string> { ["environment"] = "point-mass-maze" }),
            Throws.ArgumentException.With.Message.Contains("layout_text"));
    }

    private sealed class SynchronousProgress(List<double> reports) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
