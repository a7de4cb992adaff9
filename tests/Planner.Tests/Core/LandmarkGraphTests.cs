using Planner.Checkpoints;
using Planner.Costs;
using Planner.Landmarks;

namespace Planner.Tests.Core;

/// <summary>
/// The landmark graph on a U-shaped world whose latents are positions: two arms, x in [0, 1] and x in [2, 3], y in
/// [0, 10], joined only across the top (y in [9, 10]). A point at the bottom of one arm is 2 away in a straight line
/// from the bottom of the other, but about 20 along the U; trajectories are random walks that never cross the wall.
/// </summary>
public class LandmarkGraphTests
{
    private const int S = 2;

    private static bool Free(float x, float y) => x >= 0 && x <= 3 && y >= 0 && y <= 10 && (y >= 9 || x <= 1 || x >= 2);

    /// <summary>Random walks of small steps in the U (a step into the wall or out of bounds is not taken).</summary>
    private static float[] Walks(int episodes, int steps, int seed)
    {
        var random = new Random(seed);
        var latents = new float[episodes * (steps + 1) * S];
        for (int e = 0; e < episodes; e++)
        {
            float x, y;
            do { x = random.NextSingle() * 3; y = random.NextSingle() * 10; } while (!Free(x, y));
            for (int t = 0; t <= steps; t++)
            {
                int row = e * (steps + 1) + t;
                latents[row * S] = x;
                latents[row * S + 1] = y;
                float nx = x + (random.NextSingle() - 0.5f) * 0.4f, ny = y + (random.NextSingle() - 0.5f) * 0.4f;
                if (Free(nx, ny)) (x, y) = (nx, ny);
            }
        }
        return latents;
    }

    private static LandmarkGraph UGraph(int count = 300) =>
        LandmarkGraph.Build(Walks(200, 400, 1), 200, 400, S, new LandmarkGraphOptions { Count = count, Candidates = 20_000, MinTransitions = 2 });

    [Test]
    public void DistanceAlongTheGraphGoesAroundTheWallAndMatchesTheStraightLineWithinAnArm()
    {
        var graph = UGraph();
        Assert.That(graph.LargestComponent(), Is.EqualTo(graph.Count), "the U is one connected piece");
        float[] left = [0.5f, 0.5f], right = [2.5f, 0.5f], leftHigh = [0.5f, 6.5f];
        // Around the wall: up one arm (8.5), across (2), down the other (8.5) = 19 along the centre lines.
        float around = graph.Distance(left, right, disconnectedPenalty: 1000);
        Assert.That(around, Is.InRange(17f, 26f), "a straight line says 2; the way round is about 19");
        // Within an arm the graph adds little to the straight distance (a path of chords between landmarks).
        float within = graph.Distance(left, leftHigh, disconnectedPenalty: 1000);
        Assert.That(within, Is.InRange(6f, 6f * 1.3f));
        Assert.That(((ILatentDistance)graph).Distance(left, left), Is.EqualTo(0).Within(1e-6));
    }

    [Test]
    public void NearestIsTheBruteForceNearestLandmark()
    {
        var random = new Random(3);
        const int dim = 16, count = 257;
        var latents = new float[40 * 11 * dim];
        for (int i = 0; i < latents.Length; i++) latents[i] = random.NextSingle() * 4 - 2;
        var graph = LandmarkGraph.Build(latents, 40, 10, dim, new LandmarkGraphOptions { Count = count, Candidates = 440, MinTransitions = 1 });
        var query = new float[dim];
        for (int q = 0; q < 200; q++)
        {
            for (int i = 0; i < dim; i++) query[i] = random.NextSingle() * 6 - 3;
            int best = 0;
            float bestDistance = float.PositiveInfinity;
            for (int k = 0; k < graph.Count; k++)
            {
                float d = 0;
                for (int i = 0; i < dim; i++) { float diff = query[i] - graph.Landmark(k)[i]; d += diff * diff; }
                if (MathF.Sqrt(d) < bestDistance) { bestDistance = MathF.Sqrt(d); best = k; }
            }
            int found = graph.Nearest(query, out float distance);
            Assert.That(distance, Is.EqualTo(bestDistance).Within(1e-4f), $"query {q}");
            if (found != best) Assert.That(distance, Is.EqualTo(bestDistance).Within(1e-5f), "a tie");
        }
    }

    [Test]
    public void AStrayCrossingMakesNoEdgeUnlessItWasSeenOftenEnough()
    {
        // Two clusters far apart (around 0 and around 10), each walked in; one episode jumps across once.
        var latents = new float[3 * 5 * S];
        float[][] walk = [[0, 0], [0.1f, 0], [0.2f, 0], [0.1f, 0.1f], [0, 0.1f]];
        for (int t = 0; t < 5; t++)
        {
            latents[t * S] = walk[t][0]; latents[t * S + 1] = walk[t][1];
            latents[(5 + t) * S] = 10 + walk[t][0]; latents[(5 + t) * S + 1] = walk[t][1];
        }
        // The stray episode: 0, 0.1, then 10.1, 10.2, 10.
        float[] stray = [0, 0, 0.1f, 0, 10.1f, 0, 10.2f, 0, 10, 0];
        stray.CopyTo(latents, 10 * S);
        var once = LandmarkGraph.Build(latents, 3, 4, S, new LandmarkGraphOptions { Count = 2, Candidates = 15, MinTransitions = 2 });
        Assert.That(once.EdgeCount, Is.Zero, "one crossing is not enough");
        Assert.That(once.PathLength(0, 1), Is.EqualTo(float.PositiveInfinity));
        Assert.That(once.Distance([0, 0], [10, 0], disconnectedPenalty: 100), Is.EqualTo(110).Within(1e-3), "not joined: straight + penalty");
        var any = LandmarkGraph.Build(latents, 3, 4, S, new LandmarkGraphOptions { Count = 2, Candidates = 15, MinTransitions = 1 });
        Assert.That(any.EdgeCount, Is.EqualTo(1));
        Assert.That(any.Distance([0, 0], [10, 0], disconnectedPenalty: 100), Is.EqualTo(10).Within(0.5f));
    }

    [Test]
    public void BadInputIsRefusedWithAClearMessage()
    {
        var latents = Walks(2, 10, 0);
        Assert.That(() => LandmarkGraph.Build(latents, 2, 11, S), Throws.ArgumentException.With.Message.Contains("episodes=2"));
        Assert.That(() => LandmarkGraph.Build(latents, 2, 10, S, new LandmarkGraphOptions { Count = 100, Candidates = 100 }),
            Throws.ArgumentException.With.Message.Contains("only 22 latents"));
        var nan = (float[])latents.Clone();
        nan[3] = float.NaN;
        Assert.That(() => LandmarkGraph.Build(nan, 2, 10, S, new LandmarkGraphOptions { Count = 2 }), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new LandmarkGraph(S, [0, 0, 1, 1], [(0, 2)]), Throws.ArgumentException.With.Message.Contains("distinct landmarks"));
        Assert.That(() => new LandmarkGraph(S, [0, 0, 1], []), Throws.ArgumentException.With.Message.Contains("multiple of the latent size"));
        Assert.That(() => new LandmarkGraphOptions { Count = LandmarkGraphOptions.MaxCount + 1, Candidates = 1 << 20 }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("table of path lengths"));
    }

    [Test]
    public void TheFileRoundTripsAndRefusesAnotherEncoder()
    {
        var graph = UGraph(60);
        string dir = Path.Combine(Path.GetTempPath(), "planner-landmarks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            LandmarkGraphFile.Save(graph, "abc123", dir);
            var loaded = LandmarkGraphFile.Load(dir, "abc123");
            Assert.That(loaded.Landmarks.ToArray(), Is.EqualTo(graph.Landmarks.ToArray()));
            Assert.That(loaded.Edges(), Is.EqualTo(graph.Edges()));
            float[] a = [0.5f, 0.5f], b = [2.5f, 0.5f];
            Assert.That(loaded.Distance(a, b, 100), Is.EqualTo(graph.Distance(a, b, 100)));
            Assert.That(() => LandmarkGraphFile.Load(dir, "other"), Throws.InstanceOf<CheckpointException>().With.Message.Contains("another encoder"));
            File.Delete(Path.Combine(dir, LandmarkGraphFile.FileName));
            Assert.That(() => LandmarkGraphFile.Load(dir, "abc123"), Throws.InstanceOf<CheckpointException>().With.Message.Contains("planner landmarks"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void TheCostIsTheGraphDistanceAndItsGradientMatchesFiniteDifferencesAwayFromCellBoundaries()
    {
        var graph = UGraph();
        var cost = new LandmarkDistanceCost(graph, stepWeight: 0.5f, terminalWeight: 2f);
        var shape = new CostShape(2, S, 1, S);
        float[] goal = [2.5f, 0.5f];
        float[] states = [0.4f, 3.3f, 0.6f, 1.2f];
        var grad = new float[states.Length];
        float value = cost.Accumulate(shape, states, new float[2], goal, grad, new float[2]);
        float expected = 0.5f * graph.Distance(states.AsSpan(0, 2), goal, 100) + 2f * graph.Distance(states.AsSpan(2, 2), goal, 100);
        Assert.That(value, Is.EqualTo(expected).Within(1e-4f));
        const float h = 1e-3f;
        for (int i = 0; i < states.Length; i++)
        {
            var plus = (float[])states.Clone(); plus[i] += h;
            var minus = (float[])states.Clone(); minus[i] -= h;
            // Only where the nearest landmark stays the same on both sides is the cost smooth.
            if (graph.Nearest(plus.AsSpan(i / S * S, S), out _) != graph.Nearest(minus.AsSpan(i / S * S, S), out _)) continue;
            float numeric = (cost.Accumulate(shape, plus, new float[2], goal, default, default) - cost.Accumulate(shape, minus, new float[2], goal, default, default)) / (2 * h);
            Assert.That(grad[i], Is.EqualTo(numeric).Within(2e-2f), $"coordinate {i}");
        }
        Assert.That(() => cost.Validate(new CostShape(2, 3, 1, 3)), Throws.ArgumentException.With.Message.Contains("size 2"));
    }

    [Test]
    public void LookupsAndTheCostAllocateNothingPerCall()
    {
        var graph = UGraph(100);
        var cost = new LandmarkDistanceCost(graph, stepWeight: 0.1f);
        var shape = new CostShape(3, S, 1, S);
        float[] states = [0.5f, 1, 0.5f, 2, 0.5f, 3], goal = [2.5f, 0.5f], actions = new float[3], grad = new float[6];
        cost.Accumulate(shape, states, actions, goal, grad, default); // first call on this thread: its scratch buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0;
        for (int i = 0; i < 100; i++)
        {
            sum += cost.Accumulate(shape, states, actions, goal, grad, default);
            sum += ((ILatentDistance)graph).Distance(states.AsSpan(0, S), goal);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(sum, Is.GreaterThan(0));
    }
}
