using BenchmarkDotNet.Attributes;
using Planner.Managed;
using Planner.Planning;
using Planner.Torch.Models;
using Planner.Torch.Rollout;

namespace Planner.Benchmarks;

/// <summary>Which rollout backend a plan runs on.</summary>
public enum Backend
{
    /// <summary><see cref="ManagedRolloutEvaluator"/>.</summary>
    Managed,

    /// <summary><see cref="TorchRolloutEvaluator"/> on the CPU.</summary>
    Torch,
}

/// <summary>
/// A whole plan call on the synthetic problem (S=32, A=4, W=256, ReLU, H=16) per planner, size and backend, on two
/// threads; every call starts cold (no warm start) and runs the full iteration budget.
/// </summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private const int Threads = 2;
    private SyntheticProblem _problem = null!;
    private IRolloutEvaluator _evaluator = null!;
    private ResidualMlpDynamics? _torchModel;
    private PlannerBase _planner = null!;

    /// <summary>Planner.</summary>
    [Params(PlannerKind.Gradient, PlannerKind.Cem, PlannerKind.Mppi, PlannerKind.Hybrid)]
    public PlannerKind Kind;

    /// <summary>Robots x candidates.</summary>
    [Params("1x1", "1x64", "1x256", "32x64")]
    public string Size = "1x64";

    /// <summary>Backend.</summary>
    [Params(Backend.Managed, Backend.Torch)]
    public Backend Backend;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Size.Split('x');
        int batch = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int candidates = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        // The budgets: gradient K = 50 for a single candidate, else 20; samplers K = 5.
        int iterations = Kind is PlannerKind.Cem or PlannerKind.Mppi ? 5 : candidates == 1 ? 50 : 20;
        _problem = new SyntheticProblem(batch, seed: 1);
        if (Backend == Backend.Managed)
        {
            _evaluator = _problem.CreateEvaluator(Threads);
        }
        else
        {
            TorchSharp.torch.set_num_threads(Threads);
            _torchModel = new ResidualMlpDynamics(_problem.StateDim, _problem.ActionDim, _problem.Weights);
            _evaluator = new TorchRolloutEvaluator(_torchModel, _problem.CreateCost());
        }
        _planner = PlannerFactory.Create(Kind, _evaluator, _problem.CreateOptions(candidates, 16, iterations), batch, SyntheticProblem.FixedBudgetGradient);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _planner.Dispose();
        _evaluator.Dispose();
        _torchModel?.Dispose();
    }

    /// <summary>One cold plan.</summary>
    [Benchmark]
    public PlanStatus Plan()
    {
        _planner.ResetWarmStart();
        return _planner.Plan(_problem.InitialStates, _problem.Goals);
    }
}
