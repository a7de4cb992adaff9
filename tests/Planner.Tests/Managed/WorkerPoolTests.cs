using Planner.Managed;

namespace Planner.Tests.Managed;

public class WorkerPoolTests
{
    private sealed class Recorder(int size) : IParallelWork
    {
        public int[] Counts { get; } = new int[size];
        public int[] ThreadIds { get; } = new int[size];
        public int Fail { get; set; } = -1;

        public void Execute(int worker)
        {
            Interlocked.Increment(ref Counts[worker]);
            ThreadIds[worker] = Environment.CurrentManagedThreadId;
            if (worker == Fail) throw new InvalidOperationException($"worker {worker} failed");
        }
    }

    [Test]
    public void RunsEachWorkerOnceOnDistinctThreadsManyTimes()
    {
        using var pool = new WorkerPool(3);
        var work = new Recorder(3);
        for (int i = 0; i < 200; i++) pool.Run(work, 1 + i % 3);
        Assert.That(work.Counts[0], Is.EqualTo(200));
        Assert.That(work.Counts[1], Is.EqualTo(133));
        Assert.That(work.Counts[2], Is.EqualTo(66));
        Assert.That(work.ThreadIds.Distinct().Count(), Is.EqualTo(3));
        Assert.That(work.ThreadIds[0], Is.EqualTo(Environment.CurrentManagedThreadId), "the caller is worker 0");
    }

    [Test]
    public void AFailureOnAWorkerIsRethrownAndThePoolKeepsWorking()
    {
        using var pool = new WorkerPool(2);
        var work = new Recorder(2) { Fail = 1 };
        var ex = Assert.Throws<InvalidOperationException>(() => pool.Run(work, 2));
        Assert.That(ex!.Message, Does.Contain("worker 1"));
        work.Fail = -1;
        pool.Run(work, 2);
        Assert.That(work.Counts, Is.EqualTo(new[] { 2, 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(work, 3));
    }
}
