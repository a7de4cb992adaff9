using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Tests.Support;

namespace Planner.Tests.Core;

/// <summary>The per-robot run-time keep-out memory used by a hierarchy's stuck detection.</summary>
public class AvoidedPointsCostTests
{
    private const int S = 4, A = 2, B = 2, N = 2, H = 4;

    private static (ManagedRolloutEvaluator Evaluator, AvoidedPointsCost Avoided) Evaluator(bool withAvoided)
    {
        var weights = MlpWeights.Random([S + A, 16, 16, S], Activation.Tanh, 3, 0.5f);
        var avoided = new AvoidedPointsCost(B, S, radius: 3f, weight: 2f, capacity: 2);
        var cost = withAvoided
            ? new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.5f, 1f), avoided)
            : new CostFunction(new GoalDistanceCost(DistanceKind.SquaredL2, 0.5f, 1f));
        var evaluator = new ManagedRolloutEvaluator(new ReferenceResidualMlp(S, A, weights), cost);
        evaluator.Bind(Fixtures.Gaussian(B * S, 4), Fixtures.Gaussian(B * S, 5), B);
        return (evaluator, avoided);
    }

    [Test]
    public void GradientsMatchFiniteDifferencesAndOnlyTheOwningRobotPays()
    {
        var (evaluator, avoided) = Evaluator(withAvoided: true);
        var (plain, _) = Evaluator(withAvoided: false);
        using var e = evaluator;
        using var p = plain;
        var actions = Fixtures.Gaussian(B * N * H * A, 6, 0.5f);
        var before = new float[B * N];
        e.Evaluate(actions, N, H, before, default);

        // Two points for robot 0, near its start so the balls are entered; none for robot 1.
        avoided.Add(0, Fixtures.Gaussian(S, 4).AsSpan(0, S));
        avoided.Add(0, Fixtures.Gaussian(S, 7, 0.5f));
        Assert.That(avoided.CountOf(0), Is.EqualTo(2));
        Assert.That(avoided.CountOf(1), Is.EqualTo(0));
        var with = new float[B * N];
        var without = new float[B * N];
        e.Evaluate(actions, N, H, with, default);
        p.Evaluate(actions, N, H, without, default);
        Assert.That(before, Is.EqualTo(without), "an empty memory costs nothing");
        for (int c = 0; c < N; c++)
        {
            Assert.That(with[c], Is.GreaterThan(without[c] + 1e-3f), "robot 0 pays for entering its balls");
            Assert.That(with[N + c], Is.EqualTo(without[N + c]), "robot 1 has no points: no cost");
        }
        Assert.That(GradientCheckTests.MaxDirectionalError(e, actions, B, N, H, 2e-2f), Is.LessThan(2e-3));

        avoided.Clear();
        e.Evaluate(actions, N, H, with, default);
        Assert.That(with, Is.EqualTo(without), "cleared");
    }

    [Test]
    public void AFullMemoryDropsItsOldestPointAndBadInputIsRejected()
    {
        var avoided = new AvoidedPointsCost(robots: 1, dim: 2, radius: 1f, weight: 1f, capacity: 2);
        avoided.Add(0, [1f, 1f]);
        avoided.Add(0, [2f, 2f]);
        avoided.Add(0, [3f, 3f]);
        Assert.That(avoided.CountOf(0), Is.EqualTo(2));
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(new[] { 2f, 2f }), "the oldest point was dropped");
        Assert.That(avoided.PointOf(0, 1).ToArray(), Is.EqualTo(new[] { 3f, 3f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => avoided.Add(1, [0f, 0f]));
        Assert.Throws<ArgumentException>(() => avoided.Add(0, [0f]));
        Assert.Throws<ArgumentException>(() => avoided.Add(0, [float.NaN, 0f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AvoidedPointsCost(1, 2, radius: 0f, weight: 1f));
        Assert.Throws<ArgumentException>(() => avoided.Validate(new CostShape(4, 3, 2, 3)));
    }

    [Test]
    public void PointsExpireOldestFirstPerRobotAndTheCostFollows()
    {
        var avoided = new AvoidedPointsCost(robots: 2, dim: 2, radius: 1f, weight: 1f, capacity: 4);
        avoided.Add(0, [0f, 0f], stamp: 10);
        avoided.Add(0, [5f, 5f], stamp: 20);
        avoided.Add(1, [0f, 0f], stamp: 30);
        var shape = new CostShape(1, 2, 1, 2);
        float Cost(int robot) => avoided.Accumulate(shape with { Robot = robot }, [0.5f, 0f], [0f], [0f, 0f], default, default);
        Assert.That(Cost(0), Is.EqualTo(0.25f).Within(1e-6f), "inside the ball at the origin: (1 - 0.5)^2");
        int version = avoided.Version;

        avoided.ForgetBefore(15);
        Assert.That(avoided.CountOf(0), Is.EqualTo(1));
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(new[] { 5f, 5f }), "only the point stamped 10 expired");
        Assert.That(avoided.CountOf(1), Is.EqualTo(1), "robot 1's point is newer");
        Assert.That(Cost(0), Is.Zero, "the expired ball no longer costs anything");
        Assert.That(Cost(1), Is.EqualTo(0.25f).Within(1e-6f));
        Assert.That(avoided.Version, Is.GreaterThan(version), "backends re-upload after expiry");

        version = avoided.Version;
        avoided.ForgetBefore(15);
        Assert.That(avoided.Version, Is.EqualTo(version), "nothing expired, nothing changed");
        avoided.ForgetBefore(long.MaxValue);
        Assert.That(avoided.CountOf(0) + avoided.CountOf(1), Is.Zero);
    }

    [Test]
    public void KeptPointsOutliveExpiryAndLaterPointsStillExpire()
    {
        var avoided = new AvoidedPointsCost(robots: 1, dim: 1, radius: 1f, weight: 1f, capacity: 4);
        avoided.Add(0, [1f], stamp: 10);
        avoided.Add(0, [2f], stamp: AvoidedPointsCost.Kept);
        avoided.Add(0, [3f], stamp: 20);
        avoided.Add(0, [4f], stamp: 40);

        avoided.ForgetBefore(30);
        Assert.That(avoided.CountOf(0), Is.EqualTo(2), "the points stamped 10 and 20 expired, also the one behind the kept point");
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(new[] { 2f }));
        Assert.That(avoided.PointOf(0, 1).ToArray(), Is.EqualTo(new[] { 4f }), "the order of the rest is kept");
        avoided.ForgetBefore(long.MaxValue - 1);
        Assert.That(avoided.CountOf(0), Is.EqualTo(1));
        Assert.That(avoided.PointOf(0, 0).ToArray(), Is.EqualTo(new[] { 2f }), "a kept point never expires");
    }
}
