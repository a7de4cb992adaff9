using Planner.Cli.Infrastructure;
using Planner.Planning;

namespace Planner.Cli.Commands.Bench;

/// <summary>Which synthetic problem the bench plans.</summary>
internal enum BenchProblemKind
{
    /// <summary>Residual MLP world model <c>s' = s + MLP([s, a])</c>.</summary>
    Mlp,

    /// <summary>Linear system with quadratic cost (closed-form optimum).</summary>
    Lq,
}

/// <summary>Parsed <c>planner bench</c> options.</summary>
internal sealed record BenchSettings
{
    public string Backend { get; init; } = "torch";
    public PlannerKind Planner { get; init; } = PlannerKind.Gradient;
    public BenchProblemKind Problem { get; init; } = BenchProblemKind.Mlp;
    public int Samples { get; init; } = 64;
    public int Horizon { get; init; } = 16;
    public int Iterations { get; init; } = 20;
    public int Batch { get; init; } = 1;
    public int State { get; init; } = 32;
    public int Action { get; init; } = 4;
    public int Hidden { get; init; } = 256;
    public int Threads { get; init; } = 2;
    public int Repeats { get; init; } = 20;
    public int Warmup { get; init; } = 3;

    /// <summary>Minimum warm-up time: the JIT recompiles hot methods with full optimisation only after tens of calls and a delay.</summary>
    public double WarmupMs { get; init; } = DefaultWarmupMs;
    public int Seed { get; init; }
    public double? DeadlineMs { get; init; }
    public double? Bound { get; init; }
    public string Device { get; init; } = "cpu";
    public int Ticks { get; init; }
    public bool Json { get; init; }
    public bool Compare { get; init; }
    public bool Peak { get; init; }

    public const double DefaultWarmupMs = 2000;

    public static readonly string[] ValueFlags =
        ["backend", "planner", "problem", "samples", "horizon", "iters", "batch", "state", "action", "hidden", "threads", "repeats", "warmup", "warmup-ms", "seed", "deadline-ms", "bound", "device", "ticks"];

    public static readonly string[] Switches = ["json", "compare", "peak"];

    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var a = Arguments.Parse("bench", args, ValueFlags, Switches);
        var planners = new Dictionary<string, PlannerKind>
        {
            ["gd"] = PlannerKind.Gradient, ["cem"] = PlannerKind.Cem, ["mppi"] = PlannerKind.Mppi, ["hybrid"] = PlannerKind.Hybrid,
        };
        var problems = new Dictionary<string, BenchProblemKind> { ["mlp"] = BenchProblemKind.Mlp, ["lq"] = BenchProblemKind.Lq };
        var backends = new Dictionary<string, string> { ["torch"] = "torch", ["managed"] = "managed" };
        var settings = new BenchSettings
        {
            Backend = a.Choice("backend", "torch", backends),
            Planner = a.Choice("planner", PlannerKind.Gradient, planners),
            Problem = a.Choice("problem", BenchProblemKind.Mlp, problems),
            Samples = a.Int("samples", 64, 1, 1 << 20),
            Horizon = a.Int("horizon", 16, 1, 4096),
            Iterations = a.Int("iters", 20, 0, 1 << 20),
            Batch = a.Int("batch", 1, 1, 1 << 16),
            State = a.Int("state", 32, 1, 1 << 16),
            Action = a.Int("action", 4, 1, 1 << 12),
            Hidden = a.Int("hidden", 256, 1, 1 << 16),
            Threads = a.Int("threads", 2, 1, 1024),
            Repeats = a.Int("repeats", 20, 1, 10_000_000),
            Warmup = a.Int("warmup", 3, 0, 1_000_000),
            // An explicit call count alone means exactly that many calls (quick runs, tests); otherwise also a minimum time.
            WarmupMs = a.Has("warmup-ms") || !a.Has("warmup") ? a.Double("warmup-ms", DefaultWarmupMs, 0) : 0,
            Seed = a.Int("seed", 0),
            DeadlineMs = a.Has("deadline-ms") ? a.Double("deadline-ms", 0, 0, exclusiveMin: true) : null,
            Bound = a.Has("bound") ? a.Double("bound", 1, 0, exclusiveMin: true) : null,
            Device = a.String("device", "cpu"),
            Ticks = a.Int("ticks", 0, 0, int.MaxValue),
            Json = a.Has("json"),
            Compare = a.Has("compare"),
            Peak = a.Has("peak"),
        };
        return settings;
    }
}
