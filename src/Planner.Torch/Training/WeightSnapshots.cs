using TorchSharp.Modules;

namespace Planner.Torch.Training;

/// <summary>Copies of a model's parameters, kept for early stopping (restore the best epoch's weights); shared by the trainers.</summary>
internal static class WeightSnapshots
{
    public static List<Tensor> Take(List<Parameter> parameters)
    {
        var list = new List<Tensor>(parameters.Count);
        foreach (var p in parameters) list.Add(p.detach().clone().DetachFromDisposeScope());
        return list;
    }

    public static void Restore(List<Parameter> parameters, List<Tensor> weights)
    {
        using var _ = no_grad();
        for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(weights[i]);
    }

    public static void Dispose(List<Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors) t.Dispose();
        tensors.Clear();
    }

    /// <summary>NaN for "no best yet" (JSON has no infinity).</summary>
    public static double Nan(double best) => double.IsPositiveInfinity(best) ? double.NaN : best;
}
