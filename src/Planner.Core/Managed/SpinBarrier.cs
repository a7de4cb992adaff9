namespace Planner.Managed;

/// <summary>
/// A barrier for a few threads that meet thousands of times a second: spins (then yields, never sleeps a whole tick)
/// and allocates nothing. For the split single-row rollout, where threads meet after every layer.
/// </summary>
internal sealed class SpinBarrier(int parties)
{
    private int _arrived;
    private volatile int _phase;

    public void SignalAndWait()
    {
        int phase = _phase;
        if (Interlocked.Increment(ref _arrived) == parties)
        {
            _arrived = 0;
            _phase = phase + 1; // volatile write publishes the reset too
            return;
        }
        var spinner = new SpinWait();
        while (_phase == phase) spinner.SpinOnce(sleep1Threshold: -1);
    }
}
