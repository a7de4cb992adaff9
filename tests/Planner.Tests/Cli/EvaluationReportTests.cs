using Planner.Cli.Evaluation;
using Planner.Environments.Tasks;

namespace Planner.Tests.Cli;

/// <summary>The hier/flat comparison on episodes of identical planning work.</summary>
public class EvaluationReportTests
{
    private static EpisodeResult Episode(MazeTask task, long evaluations, params double[] planMs)
        => new(task, true, planMs.Length, planMs, evaluations, [], []);

    [Test]
    public void SameWorkComparesOnlyEpisodesWithEqualStepsAndEvaluations()
    {
        var (t1, t2, t3) = (new MazeTask(0, 0, 1, 1, 1), new MazeTask(0, 0, 2, 2, 2), new MazeTask(0, 0, 3, 3, 3));
        var bins = new[] { new DistanceBin("all", 0, 99) };
        var hier = EvaluationReport.From("hier", [
            Episode(t1, 100, 2, 4, 6),    // same work as flat's: step ratios 2, 1, 2
            Episode(t2, 150, 50, 50),     // the upper level planned (more evaluations): left out
            Episode(t3, 100, 3, 3, 3)],   // a different number of steps: left out
            bins);
        var flat = EvaluationReport.From("flat", [
            Episode(t1, 100, 1, 4, 3),
            Episode(t2, 100, 1, 1),
            Episode(t3, 100, 1, 1)],
            bins);

        var same = EvaluationReport.SameWork.Of(hier, flat);

        Assert.That(same.Episodes, Is.EqualTo(1));
        Assert.That(same.Steps, Is.EqualTo(3));
        // Medians: hier {2, 4, 6} -> 4, flat {1, 3, 4} -> 3; step ratios {2, 1, 2} -> 2.
        Assert.That(same.MedianRatio, Is.EqualTo(4.0 / 3.0));
        Assert.That(same.PairedRatio, Is.EqualTo(2.0));
    }

    [Test]
    public void SameWorkIsUndefinedWhenNoEpisodeMatches()
    {
        var task = new MazeTask(0, 0, 1, 1, 1);
        var bins = new[] { new DistanceBin("all", 0, 99) };
        var same = EvaluationReport.SameWork.Of(EvaluationReport.From("hier", [Episode(task, 200, 1)], bins),
            EvaluationReport.From("flat", [Episode(task, 100, 1)], bins));
        Assert.That(same.Episodes, Is.Zero);
        Assert.That(double.IsNaN(same.MedianRatio), Is.True);
    }
}
