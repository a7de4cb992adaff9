namespace Planner.Torch.Runtime;

/// <summary>Moves a span of floats onto a device as a tensor of a given shape (through one host copy).</summary>
internal static class HostTensors
{
    /// <summary>A tensor on <paramref name="device"/> holding <paramref name="data"/> (registered on the current dispose scope).</summary>
    public static Tensor Upload(ReadOnlySpan<float> data, long[] shape, Device device)
    {
        var host = zeros(shape, ScalarType.Float32);
        host.data<float>().CopyFrom(data, 0, 0);
        if (device.type == DeviceType.CPU) return host;
        var moved = host.to(device);
        host.Dispose();
        return moved;
    }
}
