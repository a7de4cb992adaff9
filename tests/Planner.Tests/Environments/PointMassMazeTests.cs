using Planner.Environments.Mazes;
using Planner.Environments.Physics;
using Planner.Numerics;

namespace Planner.Tests.Environments;

public class PointMassMazeTests
{
    private static readonly PointMassOptions Violent = new() { Acceleration = 5000f, MaxSpeed = 500f, Damping = 0f, TimeStep = 0.1f };

    /// <summary>Independent oracle: does the square of half-size r at (x, y) overlap any wall cell (or leave the grid)?</summary>
    private static bool Overlaps(MazeLayout layout, double x, double y, double r)
    {
        for (int row = (int)Math.Floor(y - r) - 1; row <= (int)Math.Floor(y + r) + 1; row++)
            for (int col = (int)Math.Floor(x - r) - 1; col <= (int)Math.Floor(x + r) + 1; col++)
                if (layout.IsWall(col, row) && col < x + r && col + 1 > x - r && row < y + r && row + 1 > y - r)
                    return true;
        return false;
    }

    private static MazeLayout RandomLayout(ref DeterministicRandom random, int width, int height, float density)
    {
        var text = new System.Text.StringBuilder();
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                bool border = r == 0 || c == 0 || r == height - 1 || c == width - 1;
                bool wall = border || random.NextFloat() < density;
                if (r == 1 && c == 1) wall = false;   // at least one free cell
                text.Append(wall ? '#' : '.');
            }
            text.Append('\n');
        }
        return MazeLayout.Parse(text.ToString(), "random");
    }

    [Test]
    public void NoTunnellingAtExtremeSpeedsInRandomLayouts()
    {
        var random = new DeterministicRandom(20261128);
        float[] radii = [0f, 0.05f, 0.2f, 0.45f];
        var state = new float[4];
        var next = new float[4];
        var action = new float[2];
        int checkedSteps = 0, blocked = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            var layout = RandomLayout(ref random, 12, 9, 0.35f);
            var maze = new PointMassMaze(layout, Violent with { Radius = radii[trial % radii.Length] });
            var cell = layout.FreeCells[random.NextInt(layout.FreeCells.Count)];
            var (x, y) = maze.RandomPositionIn(cell, ref random);
            maze.WriteRestingState(x, y, state);
            state[2] = random.NextFloat(-500f, 500f);
            state[3] = random.NextFloat(-500f, 500f);
            int component = layout.ComponentOf(cell);
            for (int step = 0; step < 15; step++)
            {
                float angle = random.NextFloat(0f, 2f * MathF.PI);
                action[0] = 3f * MathF.Cos(angle);
                action[1] = 3f * MathF.Sin(angle);
                maze.Step(state, action, next);
                double r = maze.Options.Radius;
                // The motion is x first, then y: every point along that L-shaped path must be legal.
                int samples = (int)(Math.Abs(next[0] - state[0]) / 0.01) + 2;
                for (int i = 0; i <= samples; i++)
                    Assert.That(Overlaps(layout, state[0] + (next[0] - state[0]) * (double)i / samples, state[1], r), Is.False,
                        $"trial {trial} step {step}: x sweep from ({state[0]}, {state[1]}) to x={next[0]} crosses a wall");
                samples = (int)(Math.Abs(next[1] - state[1]) / 0.01) + 2;
                for (int i = 0; i <= samples; i++)
                    Assert.That(Overlaps(layout, next[0], state[1] + (next[1] - state[1]) * (double)i / samples, r), Is.False,
                        $"trial {trial} step {step}: y sweep to ({next[0]}, {next[1]}) crosses a wall");
                Assert.That(layout.ComponentOf(CellIndex.Containing(next[0], next[1])), Is.EqualTo(component), "jumped between disconnected regions");
                if (next[2] == 0 || next[3] == 0) blocked++;
                checkedSteps++;
                next.CopyTo(state, 0);
            }
        }
        Assert.That(checkedSteps, Is.EqualTo(3000));
        Assert.That(blocked, Is.GreaterThan(1000), "at these speeds most steps should hit a wall");
    }

    [Test]
    public void ThinWallStopsEveryDirectionAtAnySpeed()
    {
        var layout = MazeLayout.Parse("""
            ###########
            #....#....#
            #....#....#
            #....#....#
            ###########
            """);
        var maze = new PointMassMaze(layout, new PointMassOptions { MaxSpeed = 1000f, Damping = 0f, Radius = 0.1f });
        var state = new float[4];
        for (int degrees = 0; degrees < 360; degrees += 3)
        {
            float angle = degrees * MathF.PI / 180f;
            maze.WriteRestingState(2.5f, 2.5f, state);
            state[2] = 1000f * MathF.Cos(angle);
            state[3] = 1000f * MathF.Sin(angle);
            for (int step = 0; step < 5; step++)
            {
                maze.Step(state, [0f, 0f], state);
                Assert.That(state[0], Is.LessThanOrEqualTo(5f - 0.1f), $"angle {degrees}: crossed the wall at x = 5");
                Assert.That(state[0], Is.GreaterThanOrEqualTo(1f + 0.1f));
                Assert.That(state[1], Is.InRange(1.1f, 3.9f));
            }
        }
    }

    [Test]
    public void PushingIntoAWallStopsAtTheWallAndZeroesNormalVelocity()
    {
        var layout = BuiltInLayouts.Get("open");                   // free x in [1, 6)
        var maze = new PointMassMaze(layout);
        var state = new float[4];
        maze.WriteRestingState(2.5f, 3.5f, state);
        for (int i = 0; i < 100; i++) maze.Step(state, [1f, 0f], state);
        float r = maze.Options.Radius;
        Assert.That(state[0], Is.EqualTo(6f - r - PointMassMaze.Skin).Within(1e-5f));
        Assert.That(state[2], Is.EqualTo(0f), "blocked axis loses its velocity");
        Assert.That(state[1], Is.EqualTo(3.5f).Within(1e-6f), "no sideways drift");
        // Sliding along the wall still works: push diagonally, y keeps moving while x stays pinned.
        maze.Step(state, [1f, 1f], state);
        Assert.That(state[0], Is.EqualTo(6f - r - PointMassMaze.Skin).Within(1e-5f));
        Assert.That(state[1], Is.GreaterThan(3.5f));
        Assert.That(state[3], Is.GreaterThan(0f));
    }

    [Test]
    public void FreeMotionFollowsTheDocumentedUpdate()
    {
        var options = new PointMassOptions { TimeStep = 0.1f, Acceleration = 6f, Damping = 1f, MaxSpeed = 3f };
        var maze = new PointMassMaze(BuiltInLayouts.Get("open"), options);
        float[] state = [3.5f, 3.5f, 0.5f, -0.2f];
        var next = new float[4];
        maze.Step(state, [0.5f, 0.25f], next);
        float vx = (0.5f + 6f * 0.5f * 0.1f) * 0.9f, vy = (-0.2f + 6f * 0.25f * 0.1f) * 0.9f;
        Assert.That(next[2], Is.EqualTo(vx).Within(1e-6f));
        Assert.That(next[3], Is.EqualTo(vy).Within(1e-6f));
        Assert.That(next[0], Is.EqualTo(3.5f + vx * 0.1f).Within(1e-6f));
        Assert.That(next[1], Is.EqualTo(3.5f + vy * 0.1f).Within(1e-6f));
    }

    [Test]
    public void SpeedNeverExceedsTheLimit()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("four-rooms"));
        var random = new DeterministicRandom(7);
        var state = new float[4];
        maze.WriteRestingState(3.5f, 3.5f, state);
        for (int i = 0; i < 2000; i++)
        {
            maze.Step(state, [random.NextFloat(-1f, 1f) * 2, random.NextFloat(-1f, 1f) * 2], state);
            Assert.That(MathF.Sqrt(state[2] * state[2] + state[3] * state[3]), Is.LessThanOrEqualTo(maze.Options.MaxSpeed * 1.0001f));
            Assert.That(maze.IsValidPosition(state[0], state[1]), Is.True);
        }
    }

    [Test]
    public void ActionsAreClampedAndNaNCountsAsZero()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("open"));
        float[] state = [3.5f, 3.5f, 0.3f, 0.1f];
        var a = new float[4];
        var b = new float[4];
        maze.Step(state, [float.NaN, float.NaN], a);
        maze.Step(state, [0f, 0f], b);
        Assert.That(a, Is.EqualTo(b));
        maze.Step(state, [5f, float.NegativeInfinity], a);
        maze.Step(state, [1f, -1f], b);
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void BatchedSteppingEqualsOneByOneAndMayRunInPlace()
    {
        var layout = BuiltInLayouts.Get("four-rooms");
        var maze = new PointMassMaze(layout);
        var random = new DeterministicRandom(3);
        const int n = 37;
        var states = new float[n * 4];
        var actions = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            var (x, y) = maze.RandomPositionIn(layout.FreeCells[random.NextInt(layout.FreeCells.Count)], ref random);
            maze.WriteRestingState(x, y, states.AsSpan(i * 4, 4));
            states[i * 4 + 2] = random.NextFloat(-3f, 3f);
            states[i * 4 + 3] = random.NextFloat(-3f, 3f);
            actions[i * 2] = random.NextFloat(-1f, 1f);
            actions[i * 2 + 1] = random.NextFloat(-1f, 1f);
        }
        var batched = new float[n * 4];
        var inPlace = (float[])states.Clone();
        for (int step = 0; step < 20; step++)
        {
            maze.Step(step == 0 ? states : batched, actions, batched);
            maze.Step(inPlace, actions, inPlace);
        }
        var single = new float[4];
        for (int i = 0; i < n; i++)
        {
            states.AsSpan(i * 4, 4).CopyTo(single);
            for (int step = 0; step < 20; step++) maze.Step(single, actions.AsSpan(i * 2, 2), single);
            Assert.That(single, Is.EqualTo(batched.AsSpan(i * 4, 4).ToArray()), $"environment {i}");
        }
        Assert.That(inPlace, Is.EqualTo(batched));
    }

    [Test]
    public void BadInputsAreRejectedWithNamedArguments()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("open"));
        Assert.That(() => maze.Step(new float[5], new float[2], new float[5]), Throws.ArgumentException.With.Message.Contains("multiple of 4"));
        Assert.That(() => maze.Step(new float[8], new float[2], new float[8]), Throws.ArgumentException.With.Property("ParamName").EqualTo("actions"));
        Assert.That(() => maze.Step([3.5f, 3.5f, 0, 0, float.NaN, 3.5f, 0, 0], new float[4], new float[8]),
            Throws.ArgumentException.With.Message.Contains("states[1]"));
        Assert.That(() => maze.Step([3.5f, 3.5f, 0, 0, -4f, 3.5f, 0, 0], new float[4], new float[8]),
            Throws.ArgumentException.With.Message.Contains("states[1]").And.Message.Contains("outside"));
        Assert.That(() => maze.WriteRestingState(0.5f, 0.5f, new float[4]), Throws.ArgumentException.With.Message.Contains("not a legal position"));
        Assert.That(() => new PointMassMaze(BuiltInLayouts.Get("open"), new PointMassOptions { Radius = 0.6f }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Radius"));
        Assert.That(() => new PointMassMaze(BuiltInLayouts.Get("open"), new PointMassOptions { TimeStep = float.NaN }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("TimeStep"));
    }

    [Test]
    public void RandomPositionsAreLegalAndInsideTheirCell()
    {
        var layout = BuiltInLayouts.Get("large");
        var maze = new PointMassMaze(layout, new PointMassOptions { Radius = 0.3f });
        var random = new DeterministicRandom(11);
        foreach (var cell in layout.FreeCells)
        {
            for (int k = 0; k < 20; k++)
            {
                var (x, y) = maze.RandomPositionIn(cell, ref random);
                Assert.That(CellIndex.Containing(x, y), Is.EqualTo(cell));
                Assert.That(maze.IsValidPosition(x, y), Is.True);
            }
        }
    }

    [Test]
    public void BatchedSteppingAndObservingAllocateNothing()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("four-rooms"));
        var pixels = new Planner.Environments.Observation.MazeObserver(maze, Planner.Environments.Observation.ObservationKind.Pixels, 32);
        var stateObs = new Planner.Environments.Observation.MazeObserver(maze, Planner.Environments.Observation.ObservationKind.State);
        const int n = 64;
        var states = new float[n * 4];
        var actions = new float[n * 2];
        var images = new float[n * 32 * 32];
        var vectors = new float[n * 4];
        for (int i = 0; i < n; i++) maze.WriteRestingState(1.5f + i % 5, 1.5f, states.AsSpan(i * 4, 4));
        Array.Fill(actions, 0.7f);
        maze.Step(states, actions, states);   // warm up (JIT)
        pixels.Observe(states, images);
        stateObs.Observe(states, vectors);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 50; k++)
        {
            maze.Step(states, actions, states);
            pixels.Observe(states, images);
            stateObs.Observe(states, vectors);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
