using Planner.Costs;

namespace Planner.Torch.Costs;

/// <summary>A cost term written directly in TorchSharp, for custom costs on the Torch backend.</summary>
public interface ITorchCostTerm
{
    /// <summary>Cost per row <c>[M]</c> from states <c>[M x H x S]</c> (z_1..z_H), actions <c>[M x H x A]</c>, goals <c>[M x G]</c>.</summary>
    Tensor Cost(Tensor states, Tensor actions, Tensor goals);
}

/// <summary>A learned terminal value in TorchSharp: <c>V(z)</c> per row.</summary>
public interface ITorchTerminalValue
{
    /// <summary>Values <c>[M]</c> of latents <c>[M x S]</c>.</summary>
    Tensor Value(Tensor latents);
}

/// <summary>
/// Autograd versions of the built-in cost terms, built from the same data as the managed ones so both backends
/// optimise the same energy. Custom terms implement <see cref="ITorchCostTerm"/> (and <see cref="CostTerm"/> for the managed backend).
/// </summary>
public sealed class TorchCost : IDisposable
{
    private readonly CostFunction _cost;
    private readonly Dictionary<AvoidedPointsCost, (int Version, Tensor Points, Tensor Held)> _avoided = [];
    private readonly Dictionary<Landmarks.LandmarkGraph, (Tensor Landmarks, Tensor Paths, Tensor Joined)> _graphs = [];

    /// <summary>Wraps a cost function; throws naming any term that has no Torch form.</summary>
    public TorchCost(CostFunction cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        foreach (var term in cost.Terms)
        {
            bool supported = term is GoalDistanceCost or LandmarkDistanceCost or ActionMagnitudeCost or ActionSmoothnessCost or KeepOutCost or AvoidedPointsCost or ITorchCostTerm
                || (term is TerminalValueCost tv && tv.Value is QuadraticTerminalValue or ITorchTerminalValue);
            if (!supported)
                throw new ArgumentException($"cost term {term.GetType().Name} has no Torch form; implement ITorchCostTerm on it (or ITorchTerminalValue on its value).", nameof(cost));
        }
        _cost = cost;
    }

    /// <summary>The cost function.</summary>
    public CostFunction Function => _cost;

    /// <summary>Cost per row <c>[M]</c>.</summary>
    public Tensor Evaluate(Tensor states, Tensor actions, Tensor goals)
    {
        Tensor? total = null;
        foreach (var term in _cost.Terms)
        {
            Tensor c = Term(term, states, actions, goals);
            total = total is null ? c : total + c;
        }
        return total!;
    }

    private Tensor Term(CostTerm term, Tensor states, Tensor actions, Tensor goals) => term switch
    {
        ITorchCostTerm custom => custom.Cost(states, actions, goals),
        GoalDistanceCost g => GoalDistance(g, states, goals),
        LandmarkDistanceCost l => LandmarkDistance(l, states, goals),
        ActionMagnitudeCost m => actions.square().sum([1, 2]) * m.Weight,
        ActionSmoothnessCost s => actions.shape[1] < 2
            ? zeros(actions.shape[0], device: actions.device)
            : (actions[.., 1..] - actions[.., ..^1]).square().sum([1, 2]) * s.Weight,
        KeepOutCost k => KeepOut(k, states),
        AvoidedPointsCost p => Avoided(p, states),
        TerminalValueCost tv => TerminalValue(tv, states),
        _ => throw new ArgumentException($"cost term {term.GetType().Name} has no Torch form.", nameof(term)),
    };

    private static Tensor Select(Tensor states, IReadOnlyList<int>? dims)
    {
        if (dims is null) return states;
        using var index = tensor(dims.Select(d => (long)d).ToArray(), device: states.device);
        return states.index_select(-1, index);
    }

    private static Tensor GoalDistance(GoalDistanceCost g, Tensor states, Tensor goals)
    {
        long h = states.shape[1];
        var weights = new float[h];
        Array.Fill(weights, g.StepWeight);
        weights[^1] = g.TerminalWeight;
        using var w = tensor(weights, device: states.device);
        Tensor z = Select(states, g.Dimensions);
        Tensor goal = goals.unsqueeze(1);
        Tensor perStep = g.Kind switch
        {
            DistanceKind.SquaredL2 => (z - goal).square().sum(-1),
            DistanceKind.L2 => ((z - goal).square().sum(-1) + 1e-12f).sqrt(),
            DistanceKind.L1 => (z - goal).abs().sum(-1),
            _ => 1 - (z * goal).sum(-1) / ((z.square().sum(-1) + 1e-12f).sqrt() * (goal.square().sum(-1) + 1e-12f).sqrt()),
        };
        return (perStep * w).sum(-1);
    }

    /// <summary>
    /// The landmark-graph distance of every step: nearest landmarks by <c>cdist</c>, the path length looked up in the
    /// all-pairs table (uploaded once per graph and device); the straight distance where both share a landmark, plus
    /// the penalty where the data never joined them. Gradients flow through the straight parts, as in the managed term.
    /// </summary>
    private Tensor LandmarkDistance(LandmarkDistanceCost l, Tensor states, Tensor goals)
    {
        var graph = l.Graph;
        if (!_graphs.TryGetValue(graph, out var cached) || cached.Landmarks.device != states.device)
        {
            if (cached.Landmarks is not null) { cached.Landmarks.Dispose(); cached.Paths.Dispose(); cached.Joined.Dispose(); }
            var paths = graph.PathLengths.ToArray();
            var isJoined = new float[paths.Length];
            for (int i = 0; i < paths.Length; i++)
            {
                isJoined[i] = float.IsPositiveInfinity(paths[i]) ? 0 : 1;
                if (isJoined[i] == 0) paths[i] = 0;
            }
            cached = (tensor(graph.Landmarks.ToArray(), [graph.Count, graph.LatentDim], device: states.device).DetachFromDisposeScope(),
                tensor(paths, device: states.device).DetachFromDisposeScope(),
                tensor(isJoined, device: states.device).DetachFromDisposeScope());
            _graphs[graph] = cached;
        }
        // Only the last step when the steps before weigh nothing: the nearest search is a [rows x K] distance matrix.
        if (l.StepWeight == 0) states = states.narrow(1, states.shape[1] - 1, 1);
        long m = states.shape[0], h = states.shape[1], s = states.shape[2], k = graph.Count;
        var weights = new float[h];
        Array.Fill(weights, l.StepWeight);
        weights[^1] = l.TerminalWeight;
        using var w = tensor(weights, device: states.device);
        Tensor z = states.reshape(m * h, s);
        Tensor g = goals.narrow(1, 0, s).repeat_interleave(h, 0);                 // [M*H, S]
        var (toFirst, from) = cdist(z, cached.Landmarks).min(-1);                 // [M*H]
        var (fromLast, to) = cdist(g, cached.Landmarks).min(-1);
        Tensor index = from * k + to;
        Tensor path = cached.Paths.index_select(0, index), joined = cached.Joined.index_select(0, index);
        Tensor straight = ((z - g).square().sum(-1) + 1e-12f).sqrt();
        Tensor viaGraph = toFirst + path + fromLast;
        Tensor apart = where(joined > 0, viaGraph, straight + l.DisconnectedPenalty);
        Tensor perStep = where(from == to, straight, apart).reshape(m, h);
        return (perStep * w).sum(-1);
    }

    private static Tensor KeepOut(KeepOutCost k, Tensor states)
    {
        Tensor z = Select(states, k.Dimensions);
        using var center = tensor(k.Center.ToArray(), device: states.device);
        Tensor dist = ((z - center).square().sum(-1) + 1e-12f).sqrt();
        return nn.functional.relu(k.Radius - dist).square().sum(-1) * k.Weight;
    }

    /// <summary>Rows are robot-major (<c>M = B x candidates</c>); each row pays for its robot's points only.</summary>
    private Tensor Avoided(AvoidedPointsCost p, Tensor states)
    {
        long rows = states.shape[0];
        if (rows % p.Robots != 0)
            throw new ArgumentException($"{rows} trajectories cannot be split over the avoided-points memory's {p.Robots} robots.", nameof(states));
        // Uploaded only when the memory changed (a stuck check), not on every evaluation.
        if (!_avoided.TryGetValue(p, out var cached) || cached.Version != p.Version || cached.Points.device != states.device)
        {
            if (cached.Points is not null) { cached.Points.Dispose(); cached.Held.Dispose(); }
            var points = new float[p.Robots * p.Capacity * p.Dim];
            var held = new float[p.Robots * p.Capacity];
            p.CopyTo(points, held);
            cached = (p.Version,
                tensor(points, [p.Robots, p.Capacity, p.Dim], device: states.device).DetachFromDisposeScope(),
                tensor(held, [p.Robots, p.Capacity], device: states.device).DetachFromDisposeScope());
            _avoided[p] = cached;
        }
        long perRobot = rows / p.Robots;
        Tensor centers = cached.Points.repeat_interleave(perRobot, 0);             // [M, C, S]
        Tensor mask = cached.Held.repeat_interleave(perRobot, 0).unsqueeze(1);     // [M, 1, C]
        Tensor diff = states.unsqueeze(2) - centers.unsqueeze(1);                   // [M, H, C, S]
        Tensor dist = (diff.square().sum(-1) + 1e-12f).sqrt();                     // [M, H, C]
        return (nn.functional.relu(p.Radius - dist).square() * mask).sum([1, 2]) * p.Weight;
    }

    /// <summary>Releases cached device copies.</summary>
    public void Dispose()
    {
        foreach (var (_, points, held) in _avoided.Values) { points.Dispose(); held.Dispose(); }
        _avoided.Clear();
        foreach (var (landmarks, paths, joined) in _graphs.Values) { landmarks.Dispose(); paths.Dispose(); joined.Dispose(); }
        _graphs.Clear();
    }

    private static Tensor TerminalValue(TerminalValueCost tv, Tensor states)
    {
        Tensor last = states[.., -1];
        if (tv.Value is ITorchTerminalValue learned) return learned.Value(last) * tv.Weight;
        var q = (QuadraticTerminalValue)tv.Value;
        using var center = tensor(q.Center.ToArray(), device: states.device);
        using var weights = tensor(q.Weights.ToArray(), device: states.device);
        return ((last - center).square() * weights).sum(-1) * tv.Weight;
    }
}
