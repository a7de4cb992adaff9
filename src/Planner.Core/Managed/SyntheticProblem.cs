using Planner.Costs;
using Planner.Managed.Kernels;
using Planner.Models;
using Planner.Numerics;
using Planner.Planning;

namespace Planner.Managed;

/// <summary>
/// The documented synthetic benchmark problem, built the same way for every backend: residual MLP dynamics
/// <c>s' = s + MLP([s, a])</c> with layers <c>(S+A) -&gt; W -&gt; W -&gt; S</c>, ReLU, weights
/// <c>MlpWeights.Random(ResidualSizes, Relu, seed, outputScale: 0.1)</c>; initial states ~ N(0, 1) from the seed
/// <c>[B x S]</c>; goal 0; cost <c>CostFunction.Quadratic(1e-3)</c>; actions bounded in [-1, 1].
/// Defaults: S = 32, A = 4, W = 256. A Torch backend builds its model from <see cref="Weights"/> and gets the same function.
/// </summary>
public sealed class SyntheticProblem
{
    /// <summary>Default latent size S.</summary>
    public const int DefaultStateDim = 32;

    /// <summary>Default action size A.</summary>
    public const int DefaultActionDim = 4;

    /// <summary>Default hidden width W.</summary>
    public const int DefaultHidden = 256;

    /// <summary>Creates the problem for <paramref name="batch"/> robots from <paramref name="seed"/>.</summary>
    public SyntheticProblem(int batch = 1, int seed = 0, int stateDim = DefaultStateDim, int actionDim = DefaultActionDim, int hidden = DefaultHidden)
    {
        Guard.AtLeast(batch, 1, nameof(batch));
        Guard.AtLeast(stateDim, 1, nameof(stateDim));
        Guard.AtLeast(actionDim, 1, nameof(actionDim));
        Guard.AtLeast(hidden, 1, nameof(hidden));
        Batch = batch;
        Seed = seed;
        StateDim = stateDim;
        ActionDim = actionDim;
        Hidden = hidden;
        ResidualSizes = [stateDim + actionDim, hidden, hidden, stateDim];
        Weights = MlpWeights.Random(ResidualSizes, Activation.Relu, seed, outputScale: 0.1f);
        InitialStates = new float[batch * stateDim];
        var rng = new DeterministicRandom((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0x51A7E5UL);
        rng.FillGaussian(InitialStates);
        Goals = new float[batch * stateDim];
        Bounds = ActionBounds.Uniform(actionDim, -1f, 1f);
    }

    /// <summary>Robots B.</summary>
    public int Batch { get; }

    /// <summary>The seed of the weights and initial states.</summary>
    public int Seed { get; }

    /// <summary>Latent size S.</summary>
    public int StateDim { get; }

    /// <summary>Action size A.</summary>
    public int ActionDim { get; }

    /// <summary>Hidden width W.</summary>
    public int Hidden { get; }

    /// <summary>Layer sizes <c>[S+A, W, W, S]</c>.</summary>
    public int[] ResidualSizes { get; }

    /// <summary>The world model's weights (identical for every backend).</summary>
    public MlpWeights Weights { get; }

    /// <summary>Initial states <c>[B x S]</c>, standard normal.</summary>
    public float[] InitialStates { get; }

    /// <summary>Goals <c>[B x S]</c>, all zero.</summary>
    public float[] Goals { get; }

    /// <summary>Action bounds [-1, 1] on every dimension.</summary>
    public ActionBounds Bounds { get; }

    /// <summary>A fresh cost function <c>sum_t ||z_t||^2 + 1e-3 ||a_t||^2</c>.</summary>
    public CostFunction CreateCost() => CostFunction.Quadratic(1e-3f);

    /// <summary>The managed world model.</summary>
    public ResidualMlp CreateDynamics(SimdLevel? level = null) => new(StateDim, ActionDim, Weights, level);

    /// <summary>A managed evaluator on <paramref name="threads"/> threads (dispose it); see <see cref="ManagedRolloutEvaluator"/> for <paramref name="splitSingleRow"/>.</summary>
    public ManagedRolloutEvaluator CreateEvaluator(int threads = 1, bool splitSingleRow = false) =>
        new(CreateDynamics(), CreateCost(), threads: threads, splitSingleRow: splitSingleRow);

    /// <summary>Planning options for this problem: bounds [-1, 1], the problem's seed.</summary>
    public PlanningOptions CreateOptions(int candidates, int horizon, int iterations) => new()
    {
        Candidates = candidates,
        Horizon = horizon,
        Iterations = iterations,
        Bounds = Bounds,
        Seed = Seed,
    };

    /// <summary>
    /// Gradient settings for timing: convergence stopping off, so every backend runs exactly the iteration budget
    /// (otherwise tiny float differences could stop one backend a few iterations earlier than the other).
    /// </summary>
    public static GradientOptions FixedBudgetGradient => new() { ConvergenceTolerance = 0f };

    /// <summary>FLOPs (2 per multiply-add) of one model step of one row; the input-gradient step costs the same.</summary>
    public long FlopsPerModelStep => 2L * ((StateDim + ActionDim) * Hidden + Hidden * Hidden + Hidden * StateDim);

    /// <summary>
    /// Essential FLOPs of a plan that ran <paramref name="modelEvaluations"/> model steps (forward plus backward, as
    /// <see cref="PlanStatus"/> and <see cref="IRolloutEvaluator.ModelEvaluations"/> count them).
    /// </summary>
    public long EssentialFlops(long modelEvaluations) => modelEvaluations * FlopsPerModelStep;
}
