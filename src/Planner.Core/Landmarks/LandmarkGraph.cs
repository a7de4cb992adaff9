namespace Planner.Landmarks;

/// <summary>Settings of <see cref="LandmarkGraph.Build"/>.</summary>
public sealed record LandmarkGraphOptions
{
    /// <summary>
    /// Landmarks K, picked by farthest-point sampling so they cover the data's latents evenly. Finer is safer: in
    /// nine-rooms (2,400 x 128 steps) 600 landmarks gave 3.1 % of edges through walls, 2,000 0.1 %, 3,000 none.
    /// </summary>
    public int Count { get; init; } = 3000;

    /// <summary>Latents drawn (at random) from the data to pick landmarks from; all of them are still used for the edges.</summary>
    public int Candidates { get; init; } = 40_000;

    /// <summary>
    /// A pair of landmarks is joined only when the data crossed between them at least this often. One stray
    /// transition (two landmarks that are near in latent space but on either side of a wall, say) then makes no
    /// shortcut.
    /// </summary>
    public int MinTransitions { get; init; } = 2;

    /// <summary>Seed of the candidate draw.</summary>
    public int Seed { get; init; }

    /// <summary>The most landmarks a graph may have: its K x K table of path lengths is then 1 GiB.</summary>
    public const int MaxCount = 16_384;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        Guard.AtLeast(Count, 2, nameof(Count));
        if (Count > MaxCount) throw new ArgumentOutOfRangeException(nameof(Count), Count, $"{Count} landmarks would need a {Count} x {Count} table of path lengths; at most {MaxCount}.");
        Guard.AtLeast(Candidates, Count, nameof(Candidates));
        Guard.AtLeast(MinTransitions, 1, nameof(MinTransitions));
    }
}

/// <summary>
/// A graph over the latent space learned from reward-free trajectories: landmarks (latents that cover the data) joined
/// where the data moved from one to the other in one step, with the latent distance between them as the edge length.
/// Shortest paths along it measure how far a goal is along the ways the robot can actually go, so they route around
/// walls that a straight latent distance ignores (two places either side of a wall have close latents but no path
/// between them in the data). All-pairs distances are computed once, so lookups are allocation-free and thread-safe.
/// </summary>
public sealed class LandmarkGraph : ILatentDistance
{
    private readonly float[] _landmarks;   // [K x S]
    private readonly int[] _edgeStart;     // CSR: edges of landmark i are _edgeTarget[_edgeStart[i].._edgeStart[i+1]]
    private readonly int[] _edgeTarget;
    private readonly float[] _edgeLength;
    private readonly float[] _distances;   // [K x K] shortest path lengths; +inf when not connected
    private readonly NearestLandmark _nearest;

    /// <summary>Creates a graph from landmarks <c>[K x S]</c> and undirected edges (each pair once, i != j).</summary>
    public LandmarkGraph(int latentDim, float[] landmarks, IReadOnlyList<(int From, int To)> edges)
    {
        ArgumentNullException.ThrowIfNull(landmarks);
        ArgumentNullException.ThrowIfNull(edges);
        Guard.AtLeast(latentDim, 1, nameof(latentDim));
        if (landmarks.Length == 0 || landmarks.Length % latentDim != 0)
            throw new ArgumentException($"landmarks hold {landmarks.Length} floats; expected a positive multiple of the latent size {latentDim}.", nameof(landmarks));
        Guard.Finite(landmarks, nameof(landmarks));
        LatentDim = latentDim;
        Count = landmarks.Length / latentDim;
        if (Count > LandmarkGraphOptions.MaxCount)
            throw new ArgumentException($"{Count} landmarks would need a {Count} x {Count} table of path lengths; at most {LandmarkGraphOptions.MaxCount}.", nameof(landmarks));
        _landmarks = (float[])landmarks.Clone();
        _nearest = new NearestLandmark(_landmarks, latentDim);

        var degree = new int[Count + 1];
        foreach (var (from, to) in edges)
        {
            if ((uint)from >= (uint)Count || (uint)to >= (uint)Count || from == to)
                throw new ArgumentException($"edge ({from}, {to}) is not a pair of distinct landmarks in [0, {Count}).", nameof(edges));
            degree[from + 1]++;
            degree[to + 1]++;
        }
        for (int i = 0; i < Count; i++) degree[i + 1] += degree[i];
        _edgeStart = degree;
        _edgeTarget = new int[degree[Count]];
        _edgeLength = new float[degree[Count]];
        var fill = (int[])degree.Clone();
        foreach (var (from, to) in edges)
        {
            float length = Distance(Landmark(from), Landmark(to));
            _edgeTarget[fill[from]] = to; _edgeLength[fill[from]++] = length;
            _edgeTarget[fill[to]] = from; _edgeLength[fill[to]++] = length;
        }
        EdgeCount = edges.Count;
        _distances = new float[Count * Count];
        for (int i = 0; i < Count; i++) ShortestPathsFrom(i, _distances.AsSpan(i * Count, Count));
    }

    /// <summary>Latent size S.</summary>
    public int LatentDim { get; }

    /// <summary>Landmarks K.</summary>
    public int Count { get; }

    /// <summary>
    /// Added to the straight distance between latents whose landmarks the data never joined, by
    /// <see cref="ILatentDistance.Distance"/> (default 100: farther than any path).
    /// </summary>
    public float DisconnectedPenalty
    {
        get => _disconnectedPenalty;
        init { Guard.NonNegative(value, nameof(DisconnectedPenalty)); _disconnectedPenalty = value; }
    }

    private readonly float _disconnectedPenalty = 100f;

    /// <inheritdoc />
    float ILatentDistance.Distance(ReadOnlySpan<float> latent, ReadOnlySpan<float> goal) => Distance(latent, goal, DisconnectedPenalty);

    /// <summary>Undirected edges.</summary>
    public int EdgeCount { get; }

    /// <summary>All landmarks, <c>[K x S]</c>.</summary>
    public ReadOnlySpan<float> Landmarks => _landmarks;

    /// <summary>
    /// For a graph from <see cref="Build"/>: the row of the data (episode x (steps + 1) + t) each landmark was taken
    /// from, e.g. to look up where the robot was (diagnostics); null for a graph loaded from a file.
    /// </summary>
    public IReadOnlyList<int>? SourceRows { get; private init; }

    /// <summary>Landmark <paramref name="i"/>'s latent.</summary>
    public ReadOnlySpan<float> Landmark(int i) => _landmarks.AsSpan(i * LatentDim, LatentDim);

    /// <summary>The undirected edges, each once (smaller index first).</summary>
    public IReadOnlyList<(int From, int To)> Edges()
    {
        var edges = new List<(int, int)>(EdgeCount);
        for (int i = 0; i < Count; i++)
            for (int e = _edgeStart[i]; e < _edgeStart[i + 1]; e++)
                if (_edgeTarget[e] > i) edges.Add((i, _edgeTarget[e]));
        return edges;
    }

    /// <summary>Shortest path lengths between all landmarks, <c>[K x K]</c> row-major (+inf where not joined).</summary>
    public ReadOnlySpan<float> PathLengths => _distances;

    /// <summary>Shortest path length from landmark <paramref name="from"/> to <paramref name="to"/> (+inf when the data never joined them).</summary>
    public float PathLength(int from, int to) => _distances[from * Count + to];

    /// <summary>Landmarks in the largest connected part of the graph.</summary>
    public int LargestComponent()
    {
        int best = 0;
        var seen = new bool[Count];
        for (int i = 0; i < Count; i++)
        {
            if (seen[i]) continue;
            int size = 0;
            for (int j = 0; j < Count; j++)
                if (!float.IsPositiveInfinity(_distances[i * Count + j])) { seen[j] = true; size++; }
            best = Math.Max(best, size);
        }
        return best;
    }

    /// <summary>The landmark nearest (L2) to <paramref name="latent"/>, and its distance. Allocation-free and thread-safe.</summary>
    public int Nearest(ReadOnlySpan<float> latent, out float distance) => _nearest.Find(latent, out distance);

    /// <summary>
    /// The graph distance from <paramref name="latent"/> to <paramref name="goal"/>: to the nearest landmark, along the
    /// shortest path to the goal's nearest landmark, and on to the goal. When both share a landmark it is the straight
    /// distance; when the data never joined the two landmarks, the straight distance plus
    /// <paramref name="disconnectedPenalty"/>.
    /// </summary>
    public float Distance(ReadOnlySpan<float> latent, ReadOnlySpan<float> goal, float disconnectedPenalty)
    {
        int from = Nearest(latent, out float toFirst), to = Nearest(goal, out float fromLast);
        return Distance(latent, goal, from, toFirst, to, fromLast, disconnectedPenalty);
    }

    /// <summary><see cref="Distance(ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/> with both nearest landmarks already known.</summary>
    public float Distance(ReadOnlySpan<float> latent, ReadOnlySpan<float> goal, int from, float toFirst, int to, float fromLast, float disconnectedPenalty)
    {
        if (from == to) return Distance(latent, goal);
        float path = _distances[from * Count + to];
        return float.IsPositiveInfinity(path) ? Distance(latent, goal) + disconnectedPenalty : toFirst + path + fromLast;
    }

    /// <summary>
    /// Builds the graph from trajectories of latents <c>[episodes x (steps + 1) x S]</c>: landmarks by farthest-point
    /// sampling over a random draw of the latents, every latent assigned to its nearest landmark, and two landmarks
    /// joined when consecutive latents of an episode were assigned to them at least
    /// <see cref="LandmarkGraphOptions.MinTransitions"/> times. <paramref name="progress"/> gets the fraction done.
    /// </summary>
    public static LandmarkGraph Build(ReadOnlySpan<float> latents, int episodes, int steps, int latentDim, LandmarkGraphOptions? options = null, IProgress<double>? progress = null)
    {
        options ??= new LandmarkGraphOptions();
        options.Validate();
        Guard.AtLeast(episodes, 1, nameof(episodes));
        Guard.AtLeast(steps, 1, nameof(steps));
        Guard.AtLeast(latentDim, 1, nameof(latentDim));
        long rows = (long)episodes * (steps + 1);
        Guard.Length(latents.Length, checked((int)(rows * latentDim)), nameof(latents), $"[episodes={episodes} x (steps+1)={steps + 1} x S={latentDim}]");
        Guard.Finite(latents, nameof(latents));
        int n = (int)rows, s = latentDim;
        if (options.Count > n) throw new ArgumentException($"{options.Count} landmarks were asked for, but the data hold only {n} latents.", nameof(options));

        // Candidates: a random draw without repeats (partial Fisher-Yates), then farthest-point sampling among them.
        int m = Math.Min(options.Candidates, n);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var random = new Random(options.Seed);
        for (int i = 0; i < m; i++) { int j = random.Next(i, n); (order[i], order[j]) = (order[j], order[i]); }
        var landmarks = new float[options.Count * s];
        var sources = new int[options.Count];
        var nearestSquared = new float[m];
        Array.Fill(nearestSquared, float.PositiveInfinity);
        int pick = 0;
        for (int k = 0; k < options.Count; k++)
        {
            sources[k] = order[pick];
            latents.Slice(order[pick] * s, s).CopyTo(landmarks.AsSpan(k * s, s));
            var landmark = landmarks.AsSpan(k * s, s);
            float farthest = -1;
            for (int i = 0; i < m; i++)
            {
                float d = SquaredDistance(latents.Slice(order[i] * s, s), landmark);
                if (d < nearestSquared[i]) nearestSquared[i] = d;
                if (nearestSquared[i] > farthest) { farthest = nearestSquared[i]; pick = i; }
            }
            progress?.Report(0.5 * (k + 1) / options.Count);
        }

        // Assign every latent; count the crossings between landmarks along each episode.
        var nearest = new NearestLandmark(landmarks, s);
        var crossings = new Dictionary<long, int>();
        for (int e = 0; e < episodes; e++)
        {
            int previous = -1;
            for (int t = 0; t <= steps; t++)
            {
                int current = nearest.Find(latents.Slice((e * (steps + 1) + t) * s, s), out _);
                if (previous >= 0 && previous != current)
                {
                    long key = (long)Math.Min(previous, current) * options.Count + Math.Max(previous, current);
                    crossings[key] = crossings.GetValueOrDefault(key) + 1;
                }
                previous = current;
            }
            progress?.Report(0.5 + 0.5 * (e + 1) / episodes);
        }
        var edges = new List<(int, int)>();
        foreach (var (key, count) in crossings)
            if (count >= options.MinTransitions) edges.Add(((int)(key / options.Count), (int)(key % options.Count)));
        edges.Sort();
        return new LandmarkGraph(s, landmarks, edges) { SourceRows = sources };
    }

    /// <summary>Dijkstra from one landmark (a binary heap; the graph is sparse).</summary>
    private void ShortestPathsFrom(int source, Span<float> distances)
    {
        distances.Fill(float.PositiveInfinity);
        distances[source] = 0;
        var queue = new PriorityQueue<int, float>();
        queue.Enqueue(source, 0);
        while (queue.TryDequeue(out int i, out float d))
        {
            if (d > distances[i]) continue;
            for (int e = _edgeStart[i]; e < _edgeStart[i + 1]; e++)
            {
                int j = _edgeTarget[e];
                float candidate = d + _edgeLength[e];
                if (candidate < distances[j]) { distances[j] = candidate; queue.Enqueue(j, candidate); }
            }
        }
    }

    private static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float d = System.Numerics.Tensors.TensorPrimitives.Distance(x, y);
        return d * d;
    }

    private static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => System.Numerics.Tensors.TensorPrimitives.Distance(x, y);
}

/// <summary>
/// The nearest-landmark search: <c>||l - z||^2 = ||l||^2 - 2 l.z + ||z||^2</c>, one multiply-add over all K landmarks per
/// latent coordinate (the landmarks stored transposed), which vectorises over K instead of over the short latent.
/// </summary>
internal sealed class NearestLandmark
{
    private readonly float[] _landmarks;    // [K x S]
    private readonly float[] _transposed;   // [S x K]
    private readonly float[] _squaredNorms; // [K]
    private readonly int _dim;

    [ThreadStatic] private static float[]? _scratch;

    public NearestLandmark(float[] landmarks, int dim)
    {
        _landmarks = landmarks;
        _dim = dim;
        int count = landmarks.Length / dim;
        _transposed = new float[landmarks.Length];
        _squaredNorms = new float[count];
        for (int i = 0; i < count; i++)
        {
            var landmark = landmarks.AsSpan(i * dim, dim);
            _squaredNorms[i] = System.Numerics.Tensors.TensorPrimitives.Dot(landmark, landmark);
            for (int d = 0; d < dim; d++) _transposed[d * count + i] = landmark[d];
        }
    }

    /// <summary>Index of the nearest landmark and its exact distance; allocation-free after a thread's first call.</summary>
    public int Find(ReadOnlySpan<float> latent, out float distance)
    {
        int s = _dim, k = _squaredNorms.Length;
        var scores = _scratch is { } held && held.Length >= k ? held.AsSpan(0, k) : (_scratch = new float[k]).AsSpan();
        _squaredNorms.CopyTo(scores);
        for (int i = 0; i < s; i++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_transposed.AsSpan(i * k, k), -2f * latent[i], scores, scores);
        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMin(scores);
        distance = System.Numerics.Tensors.TensorPrimitives.Distance(latent[..s], _landmarks.AsSpan(best * s, s)); // exact, never the expansion's round-off
        return best;
    }
}
