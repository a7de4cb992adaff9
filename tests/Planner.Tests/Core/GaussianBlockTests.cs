using Planner.Numerics;
using Planner.Planning;

namespace Planner.Tests.Core;

/// <summary>The vectorised block sampler of the CEM and MPPI planners against the scalar generator it replaces.</summary>
public class GaussianBlockTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(63)]
    [TestCase(64 * 255)]
    public void DrawsTheScalarGeneratorsValuesUpToRounding(int length)
    {
        var scalar = new DeterministicRandom(42);
        var block = new DeterministicRandom(42);
        var values = new float[length];
        new GaussianBlock(length).Fill(ref block, values);
        for (int i = 0; i < length; i++)
        {
            float expected = scalar.NextGaussian();
            Assert.That(values[i], Is.EqualTo(expected).Within(2e-6 * Math.Max(1, Math.Abs(expected))), $"sample {i}");
        }
        // Both consumed the same uniforms (an odd block drops the pair's second value; the scalar keeps it as a spare).
        if (length % 2 == 0) Assert.That(block.NextUInt(), Is.EqualTo(scalar.NextUInt()), "the stream continues in step");
    }

    [Test]
    public void HasStandardNormalStatistics()
    {
        const int n = 200_000;
        var rng = new DeterministicRandom(7);
        var values = new float[n];
        new GaussianBlock(n).Fill(ref rng, values);
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        double withinOne = values.Count(v => Math.Abs(v) < 1) / (double)n;
        double fourthMoment = values.Average(v => Math.Pow(v - mean, 4)) / (variance * variance);
        Assert.That(mean, Is.EqualTo(0).Within(0.01));
        Assert.That(variance, Is.EqualTo(1).Within(0.01));
        Assert.That(withinOne, Is.EqualTo(0.6827).Within(0.005));
        Assert.That(fourthMoment, Is.EqualTo(3).Within(0.05));
        Assert.That(values.All(float.IsFinite), Is.True);
    }

    [Test]
    public void TheSameSeedGivesTheSameBlock()
    {
        var a = new DeterministicRandom(3);
        var b = new DeterministicRandom(3);
        var x = new float[1001];
        var y = new float[1001];
        var generator = new GaussianBlock(1001);
        generator.Fill(ref a, x);
        generator.Fill(ref b, y);
        Assert.That(y, Is.EqualTo(x));
    }
}
