namespace Planner.Torch.Runtime;

/// <summary>Device selection and libtorch start-up with errors that say what to do.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> and checks that the device exists. The CUDA builds of TorchSharp
    /// are chosen at build time with <c>-p:TorchBackend=cuda-linux</c> (or <c>cuda-windows</c>).
    /// </summary>
    public static Device ParseDevice(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"device '{name}' asked for, but CUDA is not available in this build (TorchSharp-cpu). Build with -p:TorchBackend=cuda-linux on a machine with an NVIDIA driver, or use --device cpu.", nameof(name));
            return new Device(n);
        }
        throw new ArgumentException($"device '{name}' is unknown; expected cpu, cuda or cuda:N.", nameof(name));
    }

    /// <summary>Sets libtorch's intra-op thread count (0 leaves the default).</summary>
    public static void SetThreads(int threads)
    {
        Guard.AtLeast(threads, 0, nameof(threads));
        if (threads > 0) set_num_threads(threads);
    }
}
