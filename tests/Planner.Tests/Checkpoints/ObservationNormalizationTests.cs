using Planner.Checkpoints;

namespace Planner.Tests.Checkpoints;

public class ObservationNormalizationTests
{
    [Test]
    public void PerFeatureStatisticsGiveZeroMeanUnitStd()
    {
        float[] obs = [1, 10, 3, 30, 5, 50]; // 3 rows x 2 features
        var n = ObservationNormalization.Compute(obs, 2, sharedStd: false);
        Assert.That(n.Mean, Is.EqualTo(new[] { 3f, 30f }).Within(1e-5));
        Assert.That(n.Std[0], Is.EqualTo(MathF.Sqrt(8f / 3)).Within(1e-5));
        Assert.That(n.Std[1], Is.EqualTo(10 * MathF.Sqrt(8f / 3)).Within(1e-4));
        var z = new float[6];
        n.Apply(obs, z, 2);
        Assert.That(z[0] + z[2] + z[4], Is.EqualTo(0).Within(1e-5));
        Assert.That(z[1], Is.EqualTo(z[0]).Within(1e-5));
    }

    [Test]
    public void SharedStdPoolsTheVarianceAndConstantFeaturesStayFinite()
    {
        float[] obs = [0, 7, 2, 7]; // feature 0 varies (var 1), feature 1 is constant (var 0)
        var n = ObservationNormalization.Compute(obs, 2, sharedStd: true);
        Assert.That(n.Mean, Is.EqualTo(new[] { 1f, 7f }));
        Assert.That(n.Std, Is.EqualTo(new[] { MathF.Sqrt(0.5f) }).Within(1e-6));
        var perFeature = ObservationNormalization.Compute(obs, 2, sharedStd: false);
        Assert.That(perFeature.Std[1], Is.EqualTo(ObservationNormalization.MinStd));
        var z = new float[4];
        perFeature.Apply(obs, z, 2);
        Assert.That(z, Has.All.Matches<float>(float.IsFinite));
    }

    [Test]
    public void LengthsOtherThanOneOrOAreRejected()
    {
        var bad = new ObservationNormalization([0f, 0f], [1f, 1f]);
        var e = Assert.Throws<ArgumentException>(() => bad.Validate(3));
        Assert.That(e!.Message, Does.Contain("O = 3"));
        Assert.Throws<ArgumentException>(() => new ObservationNormalization([0f], [0f]).Validate(3));
        Assert.DoesNotThrow(() => new ObservationNormalization([0f, 1f, 2f], [2f]).Validate(3));
    }
}
