using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Environments.Physics;

namespace Planner.Tests.Environments;

public class ObservationTests
{
    [Test]
    public void StateObservationIsNormalised()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("two-rooms"));   // 11 x 7
        var observer = new MazeObserver(maze, ObservationKind.State);
        var obs = new float[8];
        observer.Observe([5.5f, 3.5f, 3f, -1.5f, 1.1f, 1.1f, 0f, 0f], obs);
        Assert.That(observer.Dim, Is.EqualTo(4));
        Assert.That(obs, Is.EqualTo(new[] { 5.5f / 11f, 3.5f / 7f, 1f, -0.5f, 1.1f / 11f, 1.1f / 7f, 0f, 0f }).Within(1e-6f));
    }

    [Test]
    public void PixelObservationDrawsWallsFreeSpaceAndTheAgent()
    {
        var layout = BuiltInLayouts.Get("open");   // 7 x 7 cells -> 64 / 7 pixels per cell
        var maze = new PointMassMaze(layout);
        var observer = new MazeObserver(maze, ObservationKind.Pixels, 64);
        Assert.That(observer.Dim, Is.EqualTo(64 * 64));
        Assert.That(observer.Shape, Is.EqualTo(new[] { 64, 64 }));
        var image = new float[64 * 64];
        observer.Observe([2.5f, 4.5f, 0f, 0f], image);
        float scale = 64f / 7f;
        float At(float wx, float wy) => image[(int)(wy * scale) * 64 + (int)(wx * scale)];
        Assert.That(At(0.5f, 0.5f), Is.EqualTo(TopDownRenderer.WallIntensity), "corner wall");
        Assert.That(At(5.5f, 1.5f), Is.EqualTo(TopDownRenderer.FreeIntensity), "free space far from the agent");
        Assert.That(At(2.5f, 4.5f), Is.EqualTo(1f).Within(1e-6f), "agent centre");
        Assert.That(image, Has.All.InRange(0f, 1f));

        // The brightest pixel tracks the agent: move it and the peak moves with it.
        int Peak()
        {
            int best = 0;
            for (int i = 1; i < image.Length; i++) if (image[i] > image[best]) best = i;
            return best;
        }
        int before = Peak();
        observer.Observe([4.5f, 2.5f, 0f, 0f], image);
        int after = Peak();
        Assert.That(after % 64, Is.GreaterThan(before % 64), "moved right");
        Assert.That(after / 64, Is.LessThan(before / 64), "moved up (y grows downward)");
    }

    [Test]
    public void NonSquareMazesAreLetterboxedAsWall()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("two-rooms"));   // 11 wide, 7 high
        var image = new float[32 * 32];
        new MazeObserver(maze, ObservationKind.Pixels, 32).Observe([1.5f, 1.5f, 0f, 0f], image);
        Assert.That(image[0], Is.EqualTo(TopDownRenderer.WallIntensity));
        Assert.That(image[16], Is.EqualTo(TopDownRenderer.WallIntensity), "top margin row");
        Assert.That(image[31 * 32 + 16], Is.EqualTo(TopDownRenderer.WallIntensity), "bottom margin row");
    }

    [Test]
    public void PixelBatchEqualsSingleRenders()
    {
        var maze = new PointMassMaze(BuiltInLayouts.Get("four-rooms"));
        var observer = new MazeObserver(maze, ObservationKind.Pixels, 16);
        float[] states = [1.5f, 1.5f, 0, 0, 10.2f, 9.7f, 1, 1, 3.3f, 8.8f, 0, 0];
        var batch = new float[3 * 256];
        observer.Observe(states, batch);
        var one = new float[256];
        for (int i = 0; i < 3; i++)
        {
            observer.Observe(states.AsSpan(i * 4, 4), one);
            Assert.That(one, Is.EqualTo(batch.AsSpan(i * 256, 256).ToArray()));
        }
        Assert.That(() => observer.Observe(states, new float[256]), Throws.ArgumentException.With.Property("ParamName").EqualTo("images"));
    }
}
