using Planner.Data;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// The dataset as a macro level sees it: the frozen level-0 latents of every observation (encoded once) and the base
/// actions, both on the training device. A window (episode, start) spans K macro steps of tau base steps: latents
/// <c>z_s, z_{s+tau}, ..., z_{s+K tau}</c> and K action chunks of tau x A floats.
/// </summary>
internal sealed class MacroWindows : IDisposable
{
    private readonly Tensor _latents; // [E*(T+1) x S]
    private readonly Tensor _actions; // [E*T x A]
    private readonly int _steps, _latentDim, _actionDim, _tau, _k;
    private readonly Device _device;

    public MacroWindows(TrainedWorldModel level0, TrajectoryDataset data, int tau, int macroSteps, Device device)
    {
        _steps = data.Steps;
        _latentDim = level0.LatentDim;
        _actionDim = data.ActionDim;
        _tau = tau;
        _k = macroSteps;
        _device = device;
        _latents = EncodeAll(level0, data).to(device).DetachFromDisposeScope();
        _actions = tensor(data.Actions, [data.Episodes * (long)data.Steps, data.ActionDim]).to(device).DetachFromDisposeScope();
    }

    /// <summary>Latent size S.</summary>
    public int LatentDim => _latentDim;

    /// <summary>Macro steps K per window.</summary>
    public int MacroSteps => _k;

    /// <summary>Base steps a window spans: K * tau.</summary>
    public int Span => _k * _tau;

    /// <summary>Every window of <paramref name="episodes"/>, one per start <c>0..T-K*tau</c> (every <paramref name="stride"/>-th).</summary>
    public (int Episode, int Start)[] All(IReadOnlyList<int> episodes, int stride = 1)
    {
        var list = new List<(int, int)>();
        foreach (int e in episodes)
            for (int s = 0; s + Span <= _steps; s += stride) list.Add((e, s));
        return list.ToArray();
    }

    /// <summary>Latents <c>[B x (K+1) x S]</c> and chunks <c>[B x K x tau*A]</c> of the windows.</summary>
    public (Tensor Latents, Tensor Chunks) Gather(ReadOnlySpan<(int Episode, int Start)> windows)
    {
        int b = windows.Length;
        var zIndex = new long[b * (_k + 1)];
        var aIndex = new long[b * _k * _tau];
        for (int i = 0; i < b; i++)
        {
            var (e, s) = windows[i];
            long zBase = (long)e * (_steps + 1) + s, aBase = (long)e * _steps + s;
            for (int j = 0; j <= _k; j++) zIndex[i * (_k + 1) + j] = zBase + j * _tau;
            for (int j = 0; j < _k * _tau; j++) aIndex[i * _k * _tau + j] = aBase + j;
        }
        var zi = tensor(zIndex).to(_device);
        var ai = tensor(aIndex).to(_device);
        return (_latents.index_select(0, zi).reshape(b, _k + 1, _latentDim),
                _actions.index_select(0, ai).reshape(b, _k, _tau * _actionDim));
    }

    private static Tensor EncodeAll(TrainedWorldModel level0, TrajectoryDataset data)
    {
        const int Rows = 4096;
        long total = data.Episodes * (long)(data.Steps + 1);
        int o = data.ObservationDim;
        using var _ = no_grad();
        var parts = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long from = 0; from < total; from += Rows)
        {
            int rows = (int)Math.Min(Rows, total - from);
            var host = zeros([rows, o], ScalarType.Float32);
            host.data<float>().CopyFrom(data.Observations.AsSpan((int)(from * o), rows * o), 0, 0);
            var obs = level0.Device.type == DeviceType.CPU ? host : host.to(level0.Device);
            parts.Add(level0.EncodeTensor(obs));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _latents.Dispose();
        _actions.Dispose();
    }
}
