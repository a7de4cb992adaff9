using Planner.Managed.Kernels;
using Planner.Models;

namespace Planner.Tests.Managed;

public class ActivationTests
{
    [TestCase(Activation.Relu)]
    [TestCase(Activation.Tanh)]
    [TestCase(Activation.Silu)]
    public void ValuesAndDerivativesMatchTheDefinitionsForEveryLength(Activation f)
    {
        for (int n = 0; n <= 67; n++)
        {
            float[] x = Reference.Random(n, n, 4f), y = (float[])x.Clone(), d = new float[n], z = (float[])x.Clone();
            Activations.ApplyWithDerivative(f, y, d);
            Activations.Apply(f, z);
            for (int i = 0; i < n; i++)
            {
                Assert.That(y[i], Is.EqualTo(Reference.Act(f, x[i])).Within(1e-5), $"{f} value n={n} i={i}");
                Assert.That(z[i], Is.EqualTo(y[i]).Within(1e-6), $"{f} Apply vs ApplyWithDerivative n={n} i={i}");
                Assert.That(d[i], Is.EqualTo(Reference.ActDerivative(f, x[i])).Within(1e-5), $"{f} derivative n={n} i={i}");
            }
        }
    }
}
