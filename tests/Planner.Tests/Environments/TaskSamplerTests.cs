using Planner.Environments;
using Planner.Environments.Mazes;
using Planner.Environments.Physics;
using Planner.Environments.Tasks;

namespace Planner.Tests.Environments;

public class TaskSamplerTests
{
    [TestCase("four-rooms", 5, 8)]
    [TestCase("large", 20, 40)]
    [TestCase("u-maze", 0, 2)]
    public void SampledTasksRespectTheGeodesicBand(string name, int min, int max)
    {
        var layout = BuiltInLayouts.Get(name);
        var maze = new PointMassMaze(layout);
        var tasks = TaskSampler.Sample(maze, new TaskSamplingOptions { Count = 200, Seed = 5, MinCells = min, MaxCells = max });
        Assert.That(tasks, Has.Length.EqualTo(200));
        var distances = new HashSet<int>();
        foreach (var task in tasks)
        {
            int d = layout.GeodesicDistance(task.StartCell, task.GoalCell);
            Assert.That(d, Is.EqualTo(task.GeodesicCells));
            Assert.That(d, Is.InRange(min, max));
            Assert.That(maze.IsValidPosition(task.StartX, task.StartY) && maze.IsValidPosition(task.GoalX, task.GoalY), Is.True);
            distances.Add(d);
        }
        Assert.That(distances.Count, Is.GreaterThan(1), "should cover more than one distance in the band");
    }

    [Test]
    public void SamplingIsDeterministicPerSeed()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("four-rooms"));
        var a = TaskSampler.Sample(maze, new TaskSamplingOptions { Count = 50, Seed = 9 });
        var b = TaskSampler.Sample(maze, new TaskSamplingOptions { Count = 50, Seed = 9 });
        var c = TaskSampler.Sample(maze, new TaskSamplingOptions { Count = 50, Seed = 10 });
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void ImpossibleBandNamesTheLongestDistance()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("open"));   // 5x5 room: longest distance 8
        Assert.That(() => TaskSampler.Sample(maze, new TaskSamplingOptions { MinCells = 9, MaxCells = 20 }),
            Throws.ArgumentException.With.Message.Contains("longest geodesic distance is 8"));
        Assert.That(() => TaskSampler.Sample(maze, new TaskSamplingOptions { MinCells = 5, MaxCells = 4 }),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void StartsAndGoalsStayInOneComponent()
    {
        var layout = MazeLayout.Parse("#########\n#...#...#\n#...#...#\n#########");
        var tasks = TaskSampler.Sample(new PointMassMaze(layout), new TaskSamplingOptions { Count = 100, Seed = 1 });
        foreach (var t in tasks)
            Assert.That(layout.ComponentOf(t.StartCell), Is.EqualTo(layout.ComponentOf(t.GoalCell)));
    }

    [Test]
    public void LayoutTaskAndSuccessRadius()
    {
        var layout = BuiltInLayouts.Get("u-maze");
        var task = MazeTask.FromLayout(layout);
        Assert.That((task.StartX, task.StartY, task.GoalX, task.GoalY), Is.EqualTo((1.5f, 1.5f, 1.5f, 5.5f)));
        Assert.That(task.GeodesicCells, Is.EqualTo(14));
        Assert.That(task.IsSuccess(1.5f, 5.1f), Is.True);
        Assert.That(task.IsSuccess(1.5f, 4.9f), Is.False);
        Assert.That(() => MazeTask.FromLayout(BuiltInLayouts.Get("open")), Throws.ArgumentException.With.Message.Contains("'S'"));
    }

    [Test]
    public void EnvironmentReachesTheGoalInAnOpenRoomByPushingTowardsIt()
    {
        var env = new MazeEnvironment(BuiltInLayouts.Get("open"));
        env.Reset(new MazeTask(1.5f, 1.5f, 5.5f, 5.5f, 8));
        var action = new float[2];
        for (int i = 0; i < 200 && !env.IsSuccess(); i++)
        {
            var (x, y) = env.Position;
            // Proportional-derivative push towards the goal.
            action[0] = Math.Clamp(2f * (5.5f - x) - env.State[2], -1f, 1f);
            action[1] = Math.Clamp(2f * (5.5f - y) - env.State[3], -1f, 1f);
            env.Step(action);
        }
        Assert.That(env.IsSuccess(), Is.True);
        Assert.That(env.StepCount, Is.LessThan(200));
        var goalObs = new float[4];
        env.ObserveGoal(goalObs);
        Assert.That(goalObs[0], Is.EqualTo(5.5f / 7f).Within(1e-6f));
    }
}
