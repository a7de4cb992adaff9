using Planner.Cli.Infrastructure;
using Planner.Data;
using Planner.Environments.Collection;
using Planner.Environments.Observation;

namespace Planner.Cli.Commands;

/// <summary><c>planner collect</c>: reward-free exploration data from a maze, saved as .npz.</summary>
internal static class CollectCommand
{
    public const string Help = """
        planner collect: reward-free exploration trajectories (temporally correlated random actions from random free starts)

        options:
          --env maze:NAME|FILE   layout: open, two-rooms, four-rooms, nine-rooms, u-maze, large, or an ASCII layout file (required)
          --episodes E (200)  --steps T (64)  --obs state|pixels (state)  --seed S (0)
          --theta X (0.15)       exploration: OU mean reversion per step (correlation time about 1/X steps)
          --sigma X (0.3)        exploration: OU noise per step
          --resample P (0.05)    exploration: chance per step of a fresh uniform action (a change of mind)
                                 (e.g. --theta 0.02 --sigma 0.05: long straight runs that cover the maze faster)
          --out FILE.npz         where to write (required); NumPy reads it with np.load (see docs/data-format.md)
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = Arguments.Parse("collect", args, ["env", "episodes", "steps", "obs", "seed", "theta", "sigma", "resample", "out"], []);
        var layout = EnvSpec.Parse("collect", a.Required("env"));
        var observation = a.Choice("obs", ObservationKind.State, new Dictionary<string, ObservationKind> { ["state"] = ObservationKind.State, ["pixels"] = ObservationKind.Pixels });
        var options = new CollectOptions
        {
            Episodes = a.Int("episodes", 200, 1, 1_000_000), Steps = a.Int("steps", 64, 1, 100_000),
            Observation = observation, Seed = (ulong)a.Int("seed", 0, 0),
            Noise = new ExplorationNoise
            {
                Theta = (float)a.Double("theta", 0.15, 0, 1), Sigma = (float)a.Double("sigma", 0.3, 0, 10),
                ResampleProbability = (float)a.Double("resample", 0.05, 0, 1),
            },
        };
        string output = a.Required("out");
        var data = DataCollector.Collect(layout, options, new ProgressLine("collect"));
        TrajectoryDatasetFile.Save(data, output);
        stdout.WriteLine($"wrote {output}: {data.Episodes} episodes x {data.Steps} steps, observations {data.ObservationDim} floats ({observation.ToString().ToLowerInvariant()}), layout {layout.Name}");
        return 0;
    }
}
