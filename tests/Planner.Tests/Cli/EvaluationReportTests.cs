using Planner.Cli.Infrastructure;
using Planner.Cli.Commands;
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

    [TestCase("1-3,4-9,10-999", "short,medium,long")]
    [TestCase("1-13,14-999", "short,long")]
    [TestCase("14-999,18-999", "14+,18+")]          // overlapping: named by range, not "short, medium"
    [TestCase("1-3,4-9,10-20,21-999", "1-3,4-9,10-20,21+")]
    public void BinsAreNamedByDistanceOnlyWhenTheyPartitionIt(string spec, string names)
    {
        var bins = EvalCommand.ParseBins(spec);
        Assert.That(string.Join(',', bins.Select(b => b.Name)), Is.EqualTo(names));
    }

    [TestCase("3-1")]
    [TestCase("a-b")]
    [TestCase(",")]
    public void MalformedBinsAreRejected(string spec)
        => Assert.Throws<UsageException>(() => EvalCommand.ParseBins(spec));

    [Test]
    public void ABinWithoutSuccessPrintsADashForMeanSteps()
    {
        var task = new MazeTask(0, 0, 1, 1, 1);
        var report = EvaluationReport.From("flat", [new EpisodeResult(task, false, 3, [1, 1, 1], 30, [], [])],
            [new DistanceBin("all", 0, 99)]);
        var text = new StringWriter();
        report.Print(text);
        Assert.That(text.ToString(), Does.Not.Contain("NaN"));
        Assert.That(text.ToString(), Does.Contain("0.0 %"));
    }
}
