namespace Planner.Managed.Kernels;

/// <summary>
/// The right-hand operand B <c>[K x N]</c> of <see cref="Gemm"/>, packed once into column panels of a few vectors each:
/// panel p holds <c>B[0..K, cols of p]</c> as <c>[K x panelWidth]</c> contiguous floats, zero-padded to whole vectors, so
/// the micro-kernel streams it with unit stride. Weights never change while planning, so packing is paid once.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly AlignedBuffer _data;
    private readonly AlignedBuffer? _bias;
    private readonly int[] _panelStart, _panelVectors, _panelOffset;

    private PackedMatrix(int k, int n, SimdLevel level, Func<int, int, float> element, ReadOnlySpan<float> bias)
    {
        Guard.AtLeast(k, 0, nameof(k));
        Guard.AtLeast(n, 0, nameof(n));
        if (!SimdSupport.IsSupported(level))
            throw new ArgumentException($"SIMD level {level} is not hardware-accelerated here; expected one of the supported levels (best: {SimdSupport.Best}).", nameof(level));
        if (!bias.IsEmpty) Guard.Length(bias.Length, n, nameof(bias), $"one bias per column, N={n}");
        K = k;
        N = n;
        Level = level;
        int width = SimdSupport.Width(level), maxVectors = SimdSupport.PanelVectors(level);
        int vectors = (n + width - 1) / width;
        int panels = (vectors + maxVectors - 1) / maxVectors;
        _panelStart = new int[panels];
        _panelVectors = new int[panels];
        _panelOffset = new int[panels];
        int offset = 0;
        for (int p = 0, v = 0; p < panels; p++)
        {
            int count = Math.Min(maxVectors, vectors - v);
            _panelStart[p] = v * width;
            _panelVectors[p] = count;
            _panelOffset[p] = offset;
            offset += k * count * width;
            v += count;
        }
        _data = new AlignedBuffer(Math.Max(offset, 1));
        Span<float> data = _data.Span;
        for (int p = 0; p < panels; p++)
        {
            int pw = _panelVectors[p] * width, start = _panelStart[p];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < pw && start + j < n; j++)
                    data[_panelOffset[p] + i * pw + j] = element(i, start + j);
        }
        if (!bias.IsEmpty)
        {
            _bias = new AlignedBuffer(vectors * width);
            bias.CopyTo(_bias.Span);
        }
    }

    /// <summary>Packs a row-major <c>[K x N]</c> matrix <paramref name="b"/> (with an optional bias <c>[N]</c> added to every output row).</summary>
    public static PackedMatrix FromRowMajor(ReadOnlySpan<float> b, int k, int n, ReadOnlySpan<float> bias = default, SimdLevel? level = null)
    {
        Guard.AtLeast(k, 0, nameof(k));
        Guard.AtLeast(n, 0, nameof(n));
        Guard.Length(b.Length, k * n, nameof(b), $"[K={k} x N={n}] row-major");
        float[] copy = b.ToArray();
        return new PackedMatrix(k, n, level ?? SimdSupport.Best, (i, j) => copy[i * n + j], bias);
    }

    /// <summary>
    /// Packs the transpose of a row-major <c>[N x K]</c> matrix <paramref name="w"/> (a dense layer's weights <c>[Out x In]</c>),
    /// so that <c>C = A * W^T (+ bias)</c> is the layer's forward pass.
    /// </summary>
    public static PackedMatrix FromTransposed(ReadOnlySpan<float> w, int n, int k, ReadOnlySpan<float> bias = default, SimdLevel? level = null)
    {
        Guard.AtLeast(k, 0, nameof(k));
        Guard.AtLeast(n, 0, nameof(n));
        Guard.Length(w.Length, k * n, nameof(w), $"[N={n} x K={k}] row-major");
        float[] copy = w.ToArray();
        return new PackedMatrix(k, n, level ?? SimdSupport.Best, (i, j) => copy[j * k + i], bias);
    }

    /// <summary>Inner dimension K (rows of B).</summary>
    public int K { get; }

    /// <summary>Output columns N.</summary>
    public int N { get; }

    /// <summary>The vector width the panels were packed for.</summary>
    public SimdLevel Level { get; }

    /// <summary>True when a bias is added to every output row.</summary>
    public bool HasBias => _bias is not null;

    internal int Panels => _panelStart.Length;

    internal int PanelStart(int p) => _panelStart[p];

    /// <summary>First output column of panel <paramref name="p"/>; <c>N</c> for <c>p = Panels</c>.</summary>
    internal int ColumnOf(int p) => p < _panelStart.Length ? _panelStart[p] : N;

    internal int PanelVectors(int p) => _panelVectors[p];

    internal float* PanelData(int p) => _data.Pointer + _panelOffset[p];

    internal float* PanelBias(int p) => _bias is null ? null : _bias.Pointer + _panelStart[p];
}
