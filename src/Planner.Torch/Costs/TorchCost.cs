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

    /// <summary>Wraps a cost function; throws naming any term that has no Torch form.</summary>
    public TorchCost(CostFunction cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        foreach (var term in cost.Terms)
        {
            bool supported = term is GoalDistanceCost or ActionMagnitudeCost or ActionSmoothnessCost or KeepOutCost or AvoidedPointsCost or ITorchCostTerm
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
