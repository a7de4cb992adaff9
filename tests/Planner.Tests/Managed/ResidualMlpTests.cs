using Planner.Managed.Kernels;
using Planner.Models;

namespace Planner.Tests.Managed;

public class ResidualMlpTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var f in new[] { Activation.Relu, Activation.Tanh, Activation.Silu })
            foreach (var level in Enum.GetValues<SimdLevel>().Where(SimdSupport.IsSupported))
                yield return new TestCaseData(f, level);
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndInputGradientMatchTheReference(Activation f, SimdLevel level)
    {
        const int s = 5, a = 3, rows = 7;
        var weights = MlpWeights.Random(ResidualMlp.Sizes(s, a, [17, 9]), f, seed: 3, outputScale: 1f);
        var model = new ResidualMlp(s, a, weights, level);
        float[] states = Reference.Random(rows * s, 1, 2f), actions = Reference.Random(rows * a, 2), g = Reference.Random(rows * s, 3);
        var next = new float[rows * s];
        var tape = new float[rows * model.TapeFloatsPerRow];
        model.Forward(states, actions, next, tape, rows);
        var gs = new float[rows * s];
        var ga = new float[rows * a];
        model.Backward(tape, g, gs, ga, new float[rows * model.ScratchFloatsPerRow], rows);

        var noTape = new float[rows * s];
        model.Forward(states, actions, noTape, default, rows);
        Assert.That(noTape, Is.EqualTo(next), "forward without a tape gives the same result");

        for (int r = 0; r < rows; r++)
        {
            var x = new double[s + a];
            for (int i = 0; i < s; i++) x[i] = states[r * s + i];
            for (int i = 0; i < a; i++) x[s + i] = actions[r * a + i];
            double[] y = Reference.Mlp(weights, x);
            var expectedNext = new double[s];
            for (int i = 0; i < s; i++) expectedNext[i] = x[i] + y[i];
            Reference.AssertClose(next.AsSpan(r * s, s), expectedNext, 1e-5, $"next row {r}");

            var gr = new double[s];
            for (int i = 0; i < s; i++) gr[i] = g[r * s + i];
            double[] gx = Reference.MlpVjp(weights, x, gr);
            var expectedGs = new double[s];
            for (int i = 0; i < s; i++) expectedGs[i] = gr[i] + gx[i];
            Reference.AssertClose(gs.AsSpan(r * s, s), expectedGs, 1e-5, $"dL/dz row {r}");
            Reference.AssertClose(ga.AsSpan(r * a, a), gx.AsSpan(s, a).ToArray(), 1e-5, $"dL/da row {r}");
        }
    }

    [Test]
    public void FlopCountsCountEveryLayer()
    {
        var model = new ResidualMlp(32, 4, MlpWeights.Random(ResidualMlp.Sizes(32, 4, [256, 256]), Activation.Relu, 0));
        long expected = 2L * (36 * 256 + 256 * 256 + 256 * 32);
        Assert.That(model.ForwardFlopsPerRow, Is.EqualTo(expected));
        Assert.That(model.BackwardFlopsPerRow, Is.EqualTo(expected));
    }

    [Test]
    public void MismatchedWeightsAndShortBuffersThrow()
    {
        var weights = MlpWeights.Random([6, 8, 4], Activation.Tanh, 0);
        var ex = Assert.Throws<ArgumentException>(() => new ResidualMlp(4, 3, weights));
        Assert.That(ex!.Message, Does.Contain("needs 7 -> 4"));
        var model = new ResidualMlp(4, 2, weights);
        Assert.Throws<ArgumentException>(() => model.Forward(new float[8], new float[4], new float[7], default, 2));
        Assert.Throws<ArgumentException>(() => model.Backward(new float[1], new float[8], new float[8], new float[4], new float[100], 2));
    }
}

public class MlpEncoderTests
{
    [TestCase(Activation.Relu)]
    [TestCase(Activation.Silu)]
    public void EncodesEveryRowLikeTheReference(Activation f)
    {
        var weights = MlpWeights.Random([11, 20, 6], f, seed: 5);
        var encoder = new MlpEncoder(weights);
        Assert.That((encoder.ObservationDim, encoder.LatentDim), Is.EqualTo((11, 6)));
        for (int rows = 0; rows <= 9; rows++)
        {
            float[] obs = Reference.Random(rows * 11, rows), latents = new float[rows * 6];
            encoder.Encode(obs, latents, rows);
            for (int r = 0; r < rows; r++)
            {
                var x = new double[11];
                for (int i = 0; i < 11; i++) x[i] = obs[r * 11 + i];
                Reference.AssertClose(latents.AsSpan(r * 6, 6), Reference.Mlp(weights, x), 1e-5, $"rows={rows} r={r}");
            }
        }
    }
}
