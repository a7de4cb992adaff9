using Planner.Checkpoints;
using Planner.Data;

namespace Planner.Torch.Training;

/// <summary>The dataset on the training device, observations normalised once; gathers batches of chunks by index.</summary>
internal sealed class StagedData : IDisposable
{
    private readonly Tensor _observations; // [E*(T+1) x O], normalised
    private readonly Tensor _actions;      // [E*T x A]
    private readonly int _steps, _obsDim, _actDim;
    private readonly Device _device;

    public StagedData(TrajectoryDataset data, ObservationNormalization normalization, Device device)
    {
        _steps = data.Steps;
        _obsDim = data.ObservationDim;
        _actDim = data.ActionDim;
        _device = device;
        var normalized = new float[data.Observations.Length];
        normalization.Apply(data.Observations, normalized, data.ObservationDim);
        _observations = tensor(normalized, [data.Episodes * (long)(data.Steps + 1), data.ObservationDim]).to(device).DetachFromDisposeScope();
        _actions = tensor(data.Actions, [data.Episodes * (long)data.Steps, data.ActionDim]).to(device).DetachFromDisposeScope();
    }

    /// <summary>Observations <c>[B x (L+1) x O]</c> and actions <c>[B x L x A]</c> of the chunks (episode, start).</summary>
    public (Tensor Observations, Tensor Actions) Gather(ReadOnlySpan<(int Episode, int Start)> chunks, int length)
    {
        int b = chunks.Length;
        var obsIndex = new long[b * (length + 1)];
        var actIndex = new long[b * length];
        for (int i = 0; i < b; i++)
        {
            var (e, s) = chunks[i];
            long obsBase = (long)e * (_steps + 1) + s, actBase = (long)e * _steps + s;
            for (int j = 0; j <= length; j++) obsIndex[i * (length + 1) + j] = obsBase + j;
            for (int j = 0; j < length; j++) actIndex[i * length + j] = actBase + j;
        }
        var oi = tensor(obsIndex).to(_device);
        var ai = tensor(actIndex).to(_device);
        return (_observations.index_select(0, oi).reshape(b, length + 1, _obsDim), _actions.index_select(0, ai).reshape(b, length, _actDim));
    }

    public void Dispose()
    {
        _observations.Dispose();
        _actions.Dispose();
    }
}
