using Planner.Planning;

namespace Planner.Tests.Core;

/// <summary>The vectorised projected Adam step against the element-by-element formula.</summary>
public class AdamRefinerTests
{
    [TestCase(16, 4)]
    [TestCase(5, 3)]
    [TestCase(1, 1)]
    public void VectorStepEqualsTheScalarFormulaBitForBit(int horizon, int actionDim)
    {
        int plan = horizon * actionDim, batch = 2, n = 3;
        var options = new GradientOptions();
        var low = new float[actionDim];
        var high = new float[actionDim];
        for (int d = 0; d < actionDim; d++) { low[d] = -1f + 0.1f * d; high[d] = 0.5f + 0.2f * d; }
        var bounds = new ActionBounds(low, high);
        var adam = new AdamRefiner(options, bounds, batch, n, plan);
        adam.Reset();
        float[] x = Planner.Tests.Managed.Reference.Random(batch * n * plan, 1, 0.5f);
        x[0] = 5f; // outside: the projection must bring it back
        float[] expected = (float[])x.Clone();
        var m = new float[x.Length];
        var v = new float[x.Length];
        var costs = new float[batch * n];
        const int iterations = 4;
        for (int k = 0; k < iterations; k++)
        {
            float[] g = Planner.Tests.Managed.Reference.Random(x.Length, 10 + k, 3f);
            adam.Step(x, g, costs, k, iterations);
            // The reference: the same formula, one element at a time.
            float progress = (float)k / (iterations - 1), fraction = options.FinalLearningRateFraction;
            float lr = options.LearningRate * (fraction + (1 - fraction) * 0.5f * (1 + MathF.Cos(MathF.PI * progress)));
            float b1 = options.Beta1, b2 = options.Beta2;
            float stepSize = lr * MathF.Sqrt(1 - MathF.Pow(b2, k + 1)) / (1 - MathF.Pow(b1, k + 1));
            for (int i = 0; i < x.Length; i++)
            {
                int d = i % plan % actionDim;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                expected[i] = Math.Clamp(expected[i] - stepSize * (bounds.Scale(d) * 0.5f) * m[i] / (MathF.Sqrt(v[i]) + 1e-8f), low[d], high[d]);
            }
            Assert.That(x, Is.EqualTo(expected), $"after step {k}");
            if (k == 0) Assert.That(x[0], Is.EqualTo(high[0]), "projected into the bounds");
        }
    }
}
