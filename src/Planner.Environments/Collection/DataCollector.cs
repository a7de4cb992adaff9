using System.Globalization;
using Planner.Data;
using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Environments.Physics;
using Planner.Numerics;

namespace Planner.Environments.Collection;

/// <summary>
/// Collects reward-free exploration data in a maze: each episode starts at rest at a uniformly random free cell
/// (jittered inside it) and follows <see cref="ExplorationNoise"/> actions for T steps. Deterministic for a seed,
/// whatever the thread count.
/// </summary>
public static class DataCollector
{
    /// <summary>Environment name written to the dataset metadata.</summary>
    public const string EnvironmentName = "point-mass-maze";

    /// <summary>
    /// Collects <see cref="CollectOptions.Episodes"/> episodes. Observations <c>[E x (T+1) x O]</c> (O = 4 normalised
    /// state floats, or ImageSize^2 pixels with <see cref="TrajectoryDataset.ObservationShape"/> = [size, size]),
    /// actions <c>[E x T x 2]</c> as applied (in [-1, 1]), positions <c>[E x (T+1) x 2]</c> in world units.
    /// <paramref name="progress"/> receives the completed fraction (0..1) from worker threads.
    /// </summary>
    public static TrajectoryDataset Collect(MazeLayout layout, CollectOptions options, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var maze = new PointMassMaze(layout, options.Physics);
        var observer = new MazeObserver(maze, options.Observation, options.ImageSize);
        int e = options.Episodes, t = options.Steps, o = observer.Dim;
        var observations = new float[(long)e * (t + 1) * o];
        var actions = new float[e * t * PointMassMaze.ActionDim];
        var positions = new float[e * (t + 1) * 2];
        int done = 0;

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, e, parallel, episode =>
        {
            RunEpisode(maze, observer, options, episode,
                observations.AsSpan(episode * (t + 1) * o, (t + 1) * o),
                actions.AsSpan(episode * t * PointMassMaze.ActionDim, t * PointMassMaze.ActionDim),
                positions.AsSpan(episode * (t + 1) * 2, (t + 1) * 2));
            int finished = Interlocked.Increment(ref done);
            progress?.Report((double)finished / e);
        });

        return new TrajectoryDataset(e, t, o, PointMassMaze.ActionDim, observations, actions, 2, positions,
            Describe(layout, options, observer), observer.Shape);
    }

    /// <summary>The random stream of one episode: a function of (seed, episode) only.</summary>
    private static DeterministicRandom EpisodeRandom(ulong seed, int episode) =>
        new(seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)episode + 0xD1B54A32D192ED03UL));

    private static void RunEpisode(PointMassMaze maze, MazeObserver observer, CollectOptions options, int episode,
        Span<float> observations, Span<float> actions, Span<float> positions)
    {
        var random = EpisodeRandom(options.Seed, episode);
        var free = maze.Layout.FreeCells;
        var (x, y) = maze.RandomPositionIn(free[random.NextInt(free.Count)], ref random);
        Span<float> state = stackalloc float[PointMassMaze.StateDim];
        maze.WriteRestingState(x, y, state);
        var noise = options.Noise;
        float ax = random.NextFloat(-1f, 1f), ay = random.NextFloat(-1f, 1f);
        int o = observer.Dim;
        for (int step = 0; ; step++)
        {
            observer.Observe(state, observations.Slice(step * o, o));
            positions[step * 2] = state[0];
            positions[step * 2 + 1] = state[1];
            if (step == options.Steps) break;
            var action = actions.Slice(step * 2, 2);
            action[0] = ax;
            action[1] = ay;
            maze.Step(state, action, state);
            // Next action: OU drift towards 0 plus noise, or an occasional fresh uniform pick.
            if (random.NextFloat() < noise.ResampleProbability)
            {
                ax = random.NextFloat(-1f, 1f);
                ay = random.NextFloat(-1f, 1f);
            }
            else
            {
                ax = Math.Clamp(ax - noise.Theta * ax + noise.Sigma * random.NextGaussian(), -1f, 1f);
                ay = Math.Clamp(ay - noise.Theta * ay + noise.Sigma * random.NextGaussian(), -1f, 1f);
            }
        }
    }

    private static Dictionary<string, string> Describe(MazeLayout layout, CollectOptions options, MazeObserver observer)
    {
        var p = options.Physics;
        var inv = CultureInfo.InvariantCulture;
        var facts = new Dictionary<string, string>
        {
            ["environment"] = EnvironmentName,
            ["layout"] = layout.Name,
            ["layout_text"] = layout.ToText(),
            ["observation"] = options.Observation == ObservationKind.Pixels ? "pixels" : "state",
            ["observation_description"] = options.Observation == ObservationKind.Pixels
                ? $"top-down grayscale {options.ImageSize}x{options.ImageSize}, row 0 at the top, free {TopDownRenderer.FreeIntensity}, walls {TopDownRenderer.WallIntensity}, agent 1"
                : "[x / width, y / height, vx / max_speed, vy / max_speed]",
            ["image_size"] = options.Observation == ObservationKind.Pixels ? options.ImageSize.ToString(inv) : "0",
            ["positions"] = "[x, y] world units (cells are 1 unit; y grows downward)",
            ["actions"] = "[ax, ay] in [-1, 1], acceleration = action * acceleration",
            ["seed"] = options.Seed.ToString(inv),
            ["dt"] = p.TimeStep.ToString("R", inv),
            ["acceleration"] = p.Acceleration.ToString("R", inv),
            ["damping"] = p.Damping.ToString("R", inv),
            ["max_speed"] = p.MaxSpeed.ToString("R", inv),
            ["radius"] = p.Radius.ToString("R", inv),
            ["width"] = layout.Width.ToString(inv),
            ["height"] = layout.Height.ToString(inv),
            ["noise"] = string.Create(inv, $"ou theta={options.Noise.Theta} sigma={options.Noise.Sigma} resample={options.Noise.ResampleProbability}"),
        };
        if (observer.Kind == ObservationKind.Pixels)
        {
            // The keys the JEPA trainer looks for to pick its CNN encoder's input shape.
            facts["imageHeight"] = observer.Shape[0].ToString(inv);
            facts["imageWidth"] = observer.Shape[1].ToString(inv);
        }
        return facts;
    }
}
