namespace Planner.Checkpoints;

/// <summary>A named float32 tensor in row-major (C) order, as stored in a safetensors file.</summary>
/// <param name="Name">Tensor name, e.g. <c>predictor.layers.0.weight</c>.</param>
/// <param name="Shape">Dimensions (empty for a scalar).</param>
/// <param name="Data">Values, row-major; length = product of <paramref name="Shape"/>.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data)
{
    /// <summary>Number of elements the shape implies.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The shape as text, e.g. <c>[128, 4]</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Throws unless the name is non-empty, every dimension is non-negative and the data length matches.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name)) throw new ArgumentException("a tensor needs a non-empty name.", nameof(Name));
        ArgumentNullException.ThrowIfNull(Shape);
        ArgumentNullException.ThrowIfNull(Data);
        foreach (int d in Shape)
            if (d < 0) throw new ArgumentException($"tensor '{Name}' has shape {Format(Shape)}; dimensions must be >= 0.", nameof(Shape));
        if (ElementCount != Data.Length)
            throw new ArgumentException($"tensor '{Name}' has {Data.Length} values; its shape {Format(Shape)} needs {ElementCount}.", nameof(Data));
    }
}
