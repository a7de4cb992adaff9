using Planner.Checkpoints;
using Planner.Costs;
using Planner.Ensembles;
using Planner.Hierarchy;
using Planner.Managed;
using Planner.Models;
using Planner.Planning;
using Planner.Torch.Rollout;
using Planner.Torch.Runtime;
using Planner.Torch.Training;
using Planner.Torch.Training.Hierarchy;

namespace Planner.Cli.Evaluation;

/// <summary>
/// A trained world model directory opened on one backend: the encoder and, per level, what a planner needs (an
/// evaluator factory and a predictor). Level 0 is the JEPA model; levels above are the macro-action models.
/// </summary>
internal sealed class WorldModelStack : IDisposable
{
    private readonly TrainedWorldModel? _torch;      // present when the torch backend plans or a CNN encoder perceives
    private readonly ResidualMlp? _managedPredictor; // present when the managed backend plans
    private readonly WorldModelCheckpoint _checkpoint;
    private readonly int _threads;

    private WorldModelStack(string directory, string backend, int threads)
    {
        Directory = directory;
        Backend = backend;
        _threads = threads;
        _checkpoint = WorldModelCheckpoint.Load(directory);
        var meta = _checkpoint.Metadata;
        bool cnn = meta.Encoder.Kind == EncoderKind.Conv;
        if (backend == "torch" || cnn)
        {
            // Images are perceived by the CNN on libtorch even when the managed backend plans (its predictor is an MLP).
            TorchRuntime.SetThreads(threads);
            _torch = TrainedWorldModel.FromCheckpoint(_checkpoint);
        }
        Encoder = backend == "managed" && !cnn
            ? new NormalizingEncoder(new MlpEncoder(_checkpoint.EncoderMlp()), meta.Normalization)
            : new TorchModelEncoder(_torch!);
        if (backend == "managed") _managedPredictor = new ResidualMlp(meta.LatentDim, meta.ActionDim, _checkpoint.PredictorMlp());
        EncoderFingerprint = LevelCheckpoint.EncoderFingerprint(_checkpoint.Tensors.Values, meta.Normalization);
        if (File.Exists(Path.Combine(directory, HierarchyManifest.FileName)))
        {
            var manifest = HierarchyManifest.Load(directory);
            string fingerprint = EncoderFingerprint;
            for (int k = 1; k < manifest.Levels; k++)
            {
                var level = LevelCheckpoint.Load(Path.Combine(directory, HierarchyManifest.LevelDirectory(k)));
                level.CheckBase(meta, fingerprint); // a level trained on another base model would plan nonsense
                _levels.Add(level);
            }
        }
    }

    private readonly List<LevelCheckpoint> _levels = [];
    private readonly List<TrainedMacroLevel> _torchLevels = [];

    public static WorldModelStack Open(string directory, string backend, int threads)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"model directory '{directory}' does not exist; train one with 'planner train'.");
        return new WorldModelStack(directory, backend, threads);
    }

    public string Directory { get; }
    public string Backend { get; }

    /// <summary>The landmark graph of the directory (landmarks.json, from 'planner landmarks'), loaded on first use.</summary>
    public Landmarks.LandmarkGraph Landmarks => _landmarks ??= LandmarkGraphFile.Load(Directory, EncoderFingerprint);

    private Landmarks.LandmarkGraph? _landmarks;

    /// <summary>Identifies the level-0 encoder, and so the latent space every level and the landmark graph live in.</summary>
    public string EncoderFingerprint { get; }
    public IEncoder Encoder { get; }
    public int LatentDim => Encoder.LatentDim;

    /// <summary>What the model sees: images when its encoder is a CNN, else state vectors.</summary>
    public Environments.Observation.ObservationKind ObservationKind => Metadata.Encoder.Kind == EncoderKind.Conv
        ? Environments.Observation.ObservationKind.Pixels : Environments.Observation.ObservationKind.State;

    /// <summary>Image side for pixel models.</summary>
    public int ImageSize => Metadata.Encoder.Conv?.Height ?? 64;

    private WorldModelMetadata Metadata => _checkpoint.Metadata;
    public int ActionDim => Metadata.ActionDim;

    /// <summary>Levels available in the directory (1 + trained macro levels).</summary>
    public int AvailableLevels => 1 + _levels.Count;

    /// <summary>Base steps per step of level <paramref name="k"/>.</summary>
    public int TimeScaleOf(int k) => k == 0 ? 1 : _levels[k - 1].Metadata.TimeScale;

    /// <summary>Builds the level-<paramref name="k"/> planner and predictor for <paramref name="batch"/> robots.</summary>
    public HierarchyLevel CreateLevel(int k, LevelSettings settings, AgentSettings agent, int batch, LevelOptions levelOptions)
    {
        if (k >= AvailableLevels)
            throw new ArgumentException($"the model in '{Directory}' has {AvailableLevels} level(s), so no level {k}; train more with 'planner train --levels {k + 1}'.");
        float stepWeight = k == 0 ? agent.StepWeight : agent.HighStepWeight;
        var terms = new List<CostTerm>();
        if (agent.Landmarks == LandmarkUse.All || (agent.Landmarks == LandmarkUse.Upper && k > 0))
        {
            // The last step's distance runs along the landmark graph (one lookup per candidate); the steps before keep
            // the straight distance, which is cheap and only shapes the way there.
            terms.Add(new LandmarkDistanceCost(Landmarks, stepWeight: 0f, terminalWeight: 1f));
            if (stepWeight > 0) terms.Add(new GoalDistanceCost(agent.Distance, stepWeight, 0f));
        }
        else terms.Add(new GoalDistanceCost(agent.Distance, stepWeight, 1f));
        terms.Add(new ActionMagnitudeCost(k == 0 ? agent.ActionWeight : agent.HighActionWeight));
        // Upper levels with stuck detection keep away from the subgoals the level below got stuck on.
        var avoided = k > 0 && levelOptions.StuckTicks > 0 ? new AvoidedPointsCost(batch, LatentDim, agent.AvoidRadius, agent.AvoidWeight) : null;
        if (avoided is not null) terms.Add(avoided);
        var cost = new CostFunction(terms.ToArray());
        var (evaluator, predictor) = k == 0 ? BaseLevel(cost) : MacroLevel(k, cost, agent.EnsembleDisagreement);
        int actionDim = k == 0 ? ActionDim : _levels[k - 1].Metadata.MacroActionDim;
        var options = new PlanningOptions
        {
            Horizon = settings.Horizon, Candidates = settings.Samples, Iterations = settings.Iterations, Seed = agent.Seed + 1000 * k,
            Bounds = k == 0 ? ActionBounds.Uniform(actionDim, -1, 1) : ActionBounds.Uniform(actionDim, -agent.HighBound, agent.HighBound), // macro-actions are tanh-bounded too
        };
        var planner = PlannerFactory.Create(settings.Planner, evaluator, options, batch);
        return new HierarchyLevel(new OwningPlanner(planner, evaluator), predictor, levelOptions, avoided);
    }

    /// <summary>Level 0's evaluator and predictor on the configured backend.</summary>
    private (IRolloutEvaluator, ILatentPredictor) BaseLevel(CostFunction cost) => Backend == "managed"
        ? (new ManagedRolloutEvaluator(_managedPredictor!, cost, threads: _threads), new DynamicsPredictor(_managedPredictor!))
        : (new TorchRolloutEvaluator(_torch!.Predictor, cost), new TorchLatentPredictor(_torch!.Predictor));

    /// <summary>
    /// Level k's evaluator and predictor: with an ensemble of K predictors, plans are scored under every member
    /// (mean cost + <paramref name="disagreement"/> x std) and the handed-down latents are the members' mean.
    /// </summary>
    private (IRolloutEvaluator, ILatentPredictor) MacroLevel(int k, CostFunction cost, float disagreement)
    {
        var level = _levels[k - 1];
        int members = level.Metadata.EnsembleSize;
        var evaluators = new IRolloutEvaluator[members];
        var predictors = new ILatentPredictor[members];
        for (int e = 0; e < members; e++)
        {
            if (Backend == "managed")
            {
                var dynamics = ManagedMember(level, e);
                evaluators[e] = new ManagedRolloutEvaluator(dynamics, cost, threads: _threads);
                predictors[e] = new DynamicsPredictor(dynamics);
            }
            else
            {
                var dynamics = TorchLevel(k).Predictors[e];
                evaluators[e] = new TorchRolloutEvaluator(dynamics, cost);
                predictors[e] = new TorchLatentPredictor(dynamics);
            }
        }
        return members == 1 ? (evaluators[0], predictors[0]) : (new EnsembleRolloutEvaluator(evaluators, disagreement), new EnsemblePredictor(predictors));
    }

    /// <summary>Level k's predictors one by one (one per ensemble member), on the configured backend.</summary>
    public IReadOnlyList<ILatentPredictor> MemberPredictors(int k)
    {
        if (k < 1 || k >= AvailableLevels) throw new ArgumentOutOfRangeException(nameof(k), k, $"levels with members are 1..{AvailableLevels - 1}.");
        var level = _levels[k - 1];
        var predictors = new ILatentPredictor[level.Metadata.EnsembleSize];
        for (int e = 0; e < predictors.Length; e++)
            predictors[e] = Backend == "managed"
                ? new DynamicsPredictor(ManagedMember(level, e))
                : new TorchLatentPredictor(TorchLevel(k).Predictors[e]);
        return predictors;
    }

    /// <summary>Ensemble member e of a macro level as a managed residual MLP.</summary>
    private ResidualMlp ManagedMember(LevelCheckpoint level, int e) => new(LatentDim, level.Metadata.MacroActionDim, level.PredictorMlp(e));

    private TrainedMacroLevel TorchLevel(int k)
    {
        while (_torchLevels.Count < k) _torchLevels.Add(TrainedMacroLevel.FromCheckpoint(_levels[_torchLevels.Count]));
        return _torchLevels[k - 1];
    }

    public void Dispose()
    {
        foreach (var level in _torchLevels) level.Dispose();
        _torch?.Dispose();
    }

    /// <summary>A planner that also disposes its evaluator.</summary>
    private sealed class OwningPlanner(PlannerBase inner, IRolloutEvaluator evaluator) : DelegatingPlanner(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) evaluator.Dispose();
        }
    }
}
