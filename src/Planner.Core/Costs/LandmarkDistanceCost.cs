using Planner.Landmarks;

namespace Planner.Costs;

/// <summary>
/// Distance to the goal measured along a <see cref="LandmarkGraph"/> learned from the data (a trainable part of the
/// cost, a cost-to-go): to the nearest landmark, along the shortest path to the goal's nearest landmark, then to the
/// goal. Where the straight latent distance says a goal behind a wall is near, this says how far it is by the ways the
/// robot was seen to move, so a plan that pushes at the wall scores worse than one that heads for the door. Weight
/// <see cref="StepWeight"/> on steps 1..H-1 and <see cref="TerminalWeight"/> on step H, like
/// <see cref="GoalDistanceCost"/>. Piecewise smooth (it jumps where the nearest landmark changes): meant for sampling
/// planners (CEM, MPPI); its gradient is the straight part's.
/// </summary>
public sealed class LandmarkDistanceCost : CostTerm
{
    /// <summary>Creates the term.</summary>
    /// <param name="graph">The landmark graph, in the planner's latent space.</param>
    /// <param name="stepWeight">Weight of steps 1..H-1 (0: only the last step counts, and only it costs a lookup).</param>
    /// <param name="terminalWeight">Weight of step H.</param>
    /// <param name="disconnectedPenalty">Added to the straight distance when the data never joined the two landmarks.</param>
    public LandmarkDistanceCost(LandmarkGraph graph, float stepWeight = 0f, float terminalWeight = 1f, float disconnectedPenalty = 100f)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Guard.NonNegative(stepWeight, nameof(stepWeight));
        Guard.NonNegative(terminalWeight, nameof(terminalWeight));
        Guard.NonNegative(disconnectedPenalty, nameof(disconnectedPenalty));
        Graph = graph;
        StepWeight = stepWeight;
        TerminalWeight = terminalWeight;
        DisconnectedPenalty = disconnectedPenalty;
    }

    /// <summary>The graph.</summary>
    public LandmarkGraph Graph { get; }

    /// <summary>Weight of steps 1..H-1.</summary>
    public float StepWeight { get; }

    /// <summary>Weight of the last step.</summary>
    public float TerminalWeight { get; }

    /// <summary>Added to the straight distance between landmarks the data never joined.</summary>
    public float DisconnectedPenalty { get; }

    /// <inheritdoc />
    public override void Validate(in CostShape shape)
    {
        if (Graph.LatentDim != shape.StateDim || shape.GoalDim != shape.StateDim)
            throw new ArgumentException($"the landmark graph lives in a latent of size {Graph.LatentDim}; the model's latents have {shape.StateDim} and its goals {shape.GoalDim}.", "graph");
    }

    /// <inheritdoc />
    public override float Accumulate(in CostShape shape, ReadOnlySpan<float> states, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> goal, Span<float> gradStates, Span<float> gradActions)
    {
        int s = shape.StateDim;
        goal = goal[..s];
        int to = NearestToGoal(goal, out float fromLast);
        float total = 0;
        for (int t = 0; t < shape.Horizon; t++)
        {
            float w = t == shape.Horizon - 1 ? TerminalWeight : StepWeight;
            if (w == 0) continue;
            var z = states.Slice(t * s, s);
            int from = Graph.Nearest(z, out float toFirst);
            total += w * Graph.Distance(z, goal, from, toFirst, to, fromLast, DisconnectedPenalty);
            if (gradStates.IsEmpty) continue;
            // The straight part: towards the goal when both share a landmark or are not joined, else towards the first landmark.
            bool viaPath = from != to && !float.IsPositiveInfinity(Graph.PathLength(from, to));
            var target = viaPath ? Graph.Landmark(from) : goal;
            float norm = viaPath ? toFirst : System.Numerics.Tensors.TensorPrimitives.Distance(z, goal);
            if (norm < 1e-6f) continue;
            var g = gradStates.Slice(t * s, s);
            for (int i = 0; i < s; i++) g[i] += w * (z[i] - target[i]) / norm;
        }
        return total;
    }

    // A planner scores every candidate of a robot against the same goal: its landmark is looked up once per thread.
    [ThreadStatic] private static LandmarkGraph? _cachedGraph;
    [ThreadStatic] private static float[]? _cachedGoal;
    [ThreadStatic] private static int _cachedNode;
    [ThreadStatic] private static float _cachedDistance;

    private int NearestToGoal(ReadOnlySpan<float> goal, out float distance)
    {
        if (ReferenceEquals(_cachedGraph, Graph) && _cachedGoal is { } cached && goal.SequenceEqual(cached))
        {
            distance = _cachedDistance;
            return _cachedNode;
        }
        _cachedNode = Graph.Nearest(goal, out _cachedDistance);
        if (_cachedGoal is null || _cachedGoal.Length != goal.Length) _cachedGoal = new float[goal.Length];
        goal.CopyTo(_cachedGoal);
        _cachedGraph = Graph;
        distance = _cachedDistance;
        return _cachedNode;
    }
}
