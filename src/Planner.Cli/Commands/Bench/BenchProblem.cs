using Planner.Costs;
using Planner.Managed;
using Planner.Models;
using Planner.Numerics;
using Planner.Problems;
using Planner.Torch.Models;
using Planner.Torch.Rollout;
using Planner.Torch.Runtime;

namespace Planner.Cli.Commands.Bench;

/// <summary>
/// The documented synthetic problems, built identically for every backend:
/// <list type="bullet">
/// <item><c>mlp</c>: <c>s' = s + MLP([s, a])</c>, layers (S+A)->W->W->S with ReLU, weights from the seed
/// (uniform ±1/sqrt(fan-in), last layer scaled by 0.1), s0 ~ N(0, 1), goal 0, cost <c>sum_t ||s_t||^2 + 1e-3 ||a_t||^2</c>, actions in [-1, 1].</item>
/// <item><c>lq</c>: <c>x' = A x + B u</c> (<see cref="LinearQuadraticProblem.Random"/>), same cost, unbounded unless <c>--bound</c>.</item>
/// </list>
/// </summary>
internal sealed class BenchProblem
{
    public const float ActionWeight = 1e-3f;
    public const float MlpOutputScale = 0.1f;

    private BenchProblem(BenchSettings settings)
    {
        Settings = settings;
        Cost = CostFunction.Quadratic(ActionWeight);
        var rng = new DeterministicRandom((ulong)(uint)settings.Seed + 0xB0B0UL);
        Initial = new float[settings.Batch * settings.State];
        rng.FillGaussian(Initial);
        Goals = new float[settings.Batch * settings.State];
        if (settings.Problem == BenchProblemKind.Lq)
            Lq = LinearQuadraticProblem.Random(settings.State, settings.Action, settings.Seed, ActionWeight);
        else
            Weights = MlpWeights.Random(ResidualMlpDynamics.Sizes(settings.State, settings.Action, [settings.Hidden, settings.Hidden]), Activation.Relu, settings.Seed, MlpOutputScale);
    }

    public static BenchProblem Create(BenchSettings settings) => new(settings);

    public BenchSettings Settings { get; }
    public CostFunction Cost { get; }
    public float[] Initial { get; }
    public float[] Goals { get; }
    public LinearQuadraticProblem? Lq { get; }
    public MlpWeights? Weights { get; }

    /// <summary>FLOPs of one world-model step of one row (the input-gradient pass of a step costs the same).</summary>
    public long FlopsPerModelStep => Lq is not null
        ? 2L * Settings.State * (Settings.State + Settings.Action)
        : 2L * ((Settings.State + Settings.Action) * Settings.Hidden + Settings.Hidden * Settings.Hidden + Settings.Hidden * Settings.State);

    /// <summary>Action bounds: [-1, 1] for the MLP problem, none for LQ, or ±--bound when given.</summary>
    public ActionBounds Bounds
    {
        get
        {
            double? bound = Settings.Bound ?? (Settings.Problem == BenchProblemKind.Mlp ? 1.0 : null);
            return bound is { } b ? ActionBounds.Uniform(Settings.Action, -(float)b, (float)b) : ActionBounds.Unbounded(Settings.Action);
        }
    }

    /// <summary>An evaluator of this problem on the given backend.</summary>
    public IRolloutEvaluator CreateEvaluator(string backend)
    {
        if (backend == "torch")
        {
            TorchRuntime.SetThreads(Settings.Threads);
            var device = TorchRuntime.ParseDevice(Settings.Device);
            ITorchDynamics model = Lq is not null
                ? new LinearTorchDynamics(Lq.Dynamics)
                : new ResidualMlpDynamics(Settings.State, Settings.Action, Weights!);
            return new OwningEvaluator(new TorchRolloutEvaluator(model, Cost, device), model);
        }
        if (Lq is not null) return new ManagedRolloutEvaluator(Lq.Dynamics, Cost, threads: Settings.Threads);
        return new ManagedRolloutEvaluator(new ResidualMlp(Settings.State, Settings.Action, Weights!), Cost, threads: Settings.Threads);
    }

    /// <summary>Disposes the model together with its evaluator.</summary>
    private sealed class OwningEvaluator(IRolloutEvaluator inner, IDisposable model) : IRolloutEvaluator
    {
        public int StateDim => inner.StateDim;
        public int ActionDim => inner.ActionDim;
        public int GoalDim => inner.GoalDim;
        public bool SupportsGradients => inner.SupportsGradients;
        public long ModelEvaluations => inner.ModelEvaluations;
        public void Bind(ReadOnlySpan<float> initialLatents, ReadOnlySpan<float> goals, int batch) => inner.Bind(initialLatents, goals, batch);
        public void Evaluate(ReadOnlySpan<float> actions, int candidates, int horizon, Span<float> costs, Span<float> actionGradients)
            => inner.Evaluate(actions, candidates, horizon, costs, actionGradients);
        public void Dispose()
        {
            inner.Dispose();
            model.Dispose();
        }
    }
}
