using System.Runtime.ExceptionServices;

namespace Planner.Managed;

/// <summary>A unit of parallel work: <see cref="Execute"/> runs once per worker index of a <see cref="WorkerPool.Run"/> call.</summary>
public interface IParallelWork
{
    /// <summary>Runs the share of worker <paramref name="worker"/> (0 is the calling thread).</summary>
    void Execute(int worker);
}

/// <summary>
/// A fixed set of persistent threads for per-tick parallel work. Unlike <c>Parallel.For</c> it allocates nothing per call,
/// never runs more threads than it was given (no oversubscription), and the caller works as worker 0, so a pool of
/// <c>n</c> starts <c>n - 1</c> threads. Not re-entrant: one <see cref="Run"/> at a time.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Worker[] _workers;
    private readonly Signal _done = new();
    private IParallelWork? _work;
    private int _pending;
    private Exception? _failure;
    private volatile bool _stopping;
    private readonly AllocationProbe _probe;

    /// <summary>Creates a pool of <paramref name="threads"/> workers including the caller (1 = run inline, no threads).</summary>
    public WorkerPool(int threads)
    {
        Guard.AtLeast(threads, 1, nameof(threads));
        Threads = threads;
        _workers = new Worker[threads - 1];
        for (int i = 0; i < _workers.Length; i++) _workers[i] = new Worker(this, i + 1);
        _probe = new AllocationProbe(threads);
    }

    /// <summary>
    /// Bytes allocated so far by the pool's threads, the calling thread included (each thread reads its own
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/>): a precise allocation check that other threads of the process cannot disturb.
    /// </summary>
    public long AllocatedBytes()
    {
        Run(_probe, Threads);
        long total = 0;
        foreach (long bytes in _probe.Bytes) total += bytes;
        return total;
    }

    /// <summary>Workers, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Runs <c>work.Execute(i)</c> for <c>i</c> in <c>[0, count)</c> on distinct threads and returns when all are done; rethrows the first failure.</summary>
    public void Run(IParallelWork work, int count)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (count < 1 || count > Threads)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in [1, {Threads}] (the pool's threads), got {count}.");
        if (count == 1)
        {
            work.Execute(0);
            return;
        }
        _work = work;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, count - 1);
        for (int i = 0; i < count - 1; i++) _workers[i].Start.Set();
        try
        {
            work.Execute(0);
        }
        finally
        {
            _done.Wait();
            _work = null;
        }
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private void WorkerDone(Exception? failure)
    {
        if (failure is not null) Interlocked.CompareExchange(ref _failure, failure, null);
        if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
    }

    /// <summary>Stops and joins the threads.</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        foreach (var w in _workers) w.Start.Set();
        foreach (var w in _workers) w.Thread.Join();
    }

    /// <summary>
    /// A manual-reset flag that spins briefly (the next tick usually comes soon) and then blocks on a monitor. Unlike
    /// <see cref="ManualResetEventSlim"/>, which creates its lock object the first time it really blocks, it never allocates after construction.
    /// </summary>
    internal sealed class Signal
    {
        private const int Spins = 2000;
        private readonly object _lock = new();
        private volatile bool _set;

        public void Set()
        {
            lock (_lock)
            {
                _set = true;
                Monitor.PulseAll(_lock);
            }
        }

        public void Reset() => _set = false;

        public void Wait()
        {
            for (int i = 0; i < Spins && !_set; i++) Thread.SpinWait(8);
            if (_set) return;
            lock (_lock)
            {
                while (!_set) Monitor.Wait(_lock);
            }
        }
    }

    private sealed class AllocationProbe(int threads) : IParallelWork
    {
        public long[] Bytes { get; } = new long[threads];

        public void Execute(int worker) => Bytes[worker] = GC.GetAllocatedBytesForCurrentThread();
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly int _index;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
            _index = index;
            Thread = new Thread(Loop) { IsBackground = true, Name = $"Planner.Managed worker {index}" };
            Thread.Start();
        }

        public Signal Start { get; } = new();

        public Thread Thread { get; }

        private void Loop()
        {
            while (true)
            {
                Start.Wait();
                Start.Reset();
                if (_pool._stopping) return;
                Exception? failure = null;
                try
                {
                    _pool._work!.Execute(_index);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                _pool.WorkerDone(failure);
            }
        }
    }
}
