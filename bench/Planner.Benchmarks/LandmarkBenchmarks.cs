using BenchmarkDotNet.Attributes;
using Planner.Costs;
using Planner.Landmarks;

namespace Planner.Benchmarks;

/// <summary>
/// The landmark graph's hot path: one nearest-landmark search (what the planners pay per candidate) and one evaluation
/// of <see cref="LandmarkDistanceCost"/> on a 16-step trajectory (last step only), for K landmarks in a 16-d latent.
/// The graph comes from random walks (building it is not timed).
/// </summary>
[MemoryDiagnoser]
public class LandmarkBenchmarks
{
    private const int S = 16, Horizon = 16;
    private LandmarkGraph _graph = null!;
    private LandmarkDistanceCost _cost = null!;
    private float[] _query = [], _states = [], _goal = [], _actions = [];

    /// <summary>Landmarks K (3,000: the nine-rooms graph).</summary>
    [Params(600, 3000)]
    public int Landmarks;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        const int episodes = 200, steps = 128;
        var walks = new float[episodes * (steps + 1) * S];
        for (int e = 0; e < episodes; e++)
            for (int t = 0; t <= steps; t++)
                for (int i = 0; i < S; i++)
                {
                    int at = (e * (steps + 1) + t) * S + i;
                    walks[at] = t == 0 ? random.NextSingle() * 8 - 4 : walks[at - S] + (random.NextSingle() - 0.5f) * 0.3f;
                }
        _graph = LandmarkGraph.Build(walks, episodes, steps, S, new LandmarkGraphOptions { Count = Landmarks, Candidates = 20_000 });
        _cost = new LandmarkDistanceCost(_graph);
        _query = walks.AsSpan(5 * S, S).ToArray();
        _goal = walks.AsSpan(9_000 * S, S).ToArray();
        _states = walks.AsSpan(100 * S, Horizon * S).ToArray();
        _actions = new float[Horizon * 2];
    }

    /// <summary>One nearest-landmark search.</summary>
    [Benchmark]
    public int Nearest() => _graph.Nearest(_query, out _);

    /// <summary>The cost term on one trajectory (the goal's landmark is cached after the first call).</summary>
    [Benchmark]
    public float Cost() => _cost.Accumulate(new CostShape(Horizon, S, 2, S), _states, _actions, _goal, default, default);
}
