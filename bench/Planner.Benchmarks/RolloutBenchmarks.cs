using BenchmarkDotNet.Attributes;
using Planner.Managed;

namespace Planner.Benchmarks;

/// <summary>One <see cref="ManagedRolloutEvaluator.Evaluate"/> call on the synthetic problem (H = 16): the fused rollout, with and without the gradient.</summary>
[MemoryDiagnoser]
public class RolloutBenchmarks
{
    private const int Horizon = 16;
    private ManagedRolloutEvaluator _evaluator = null!;
    private float[] _actions = [], _costs = [], _gradients = [];

    /// <summary>Candidates N (one robot).</summary>
    [Params(1, 64, 256)]
    public int Candidates;

    /// <summary>Threads, the caller included.</summary>
    [Params(1, 2)]
    public int Threads;

    /// <summary>Also back-propagate to the actions.</summary>
    [Params(false, true)]
    public bool Gradients;

    [GlobalSetup]
    public void Setup()
    {
        var problem = new SyntheticProblem(batch: 1, seed: 1);
        _evaluator = problem.CreateEvaluator(Threads);
        _evaluator.Bind(problem.InitialStates, problem.Goals, 1);
        _actions = new float[Candidates * Horizon * problem.ActionDim];
        var rng = new Planner.Numerics.DeterministicRandom(2);
        for (int i = 0; i < _actions.Length; i++) _actions[i] = rng.NextFloat(-1, 1);
        _costs = new float[Candidates];
        _gradients = Gradients ? new float[_actions.Length] : [];
    }

    [GlobalCleanup]
    public void Cleanup() => _evaluator.Dispose();

    /// <summary>Costs (and gradients) of every candidate.</summary>
    [Benchmark]
    public void Evaluate() => _evaluator.Evaluate(_actions, Candidates, Horizon, _costs, _gradients);
}
