using Planner.Environments;
using Planner.Environments.Observation;
using Planner.Numerics;
using Planner.Torch.Training;

namespace Planner.Cli.Evaluation;

/// <summary>
/// Decodes latents to maze positions for plots: a linear probe fitted on states sampled across the maze's free cells,
/// observed and encoded by the model under evaluation (so it needs no dataset).
/// </summary>
internal static class PositionProbe
{
    public static LinearProbe Fit(MazeEnvironment env, IEncoder encoder, int samples = 2000, ulong seed = 7)
    {
        var (latents, positions) = Sample(env, encoder, samples, seed);
        return LinearProbe.Fit(latents, encoder.LatentDim, positions, 2);
    }

    /// <summary>Encoded latents <c>[samples x S]</c> of random states across the free cells, and their positions <c>[samples x 2]</c>.</summary>
    public static (float[] Latents, float[] Positions) Sample(MazeEnvironment env, IEncoder encoder, int samples, ulong seed)
    {
        var maze = env.Dynamics;
        var rng = new DeterministicRandom(seed);
        var states = new float[samples * 4];
        var positions = new float[samples * 2];
        var free = maze.Layout.FreeCells;
        for (int i = 0; i < samples; i++)
        {
            var (x, y) = maze.RandomPositionIn(free[rng.NextInt(free.Count)], ref rng);
            maze.WriteRestingState(x, y, states.AsSpan(i * 4, 4));
            states[i * 4 + 2] = rng.NextFloat(-1, 1) * maze.Options.MaxSpeed * 0.5f;
            states[i * 4 + 3] = rng.NextFloat(-1, 1) * maze.Options.MaxSpeed * 0.5f;
            positions[i * 2] = x;
            positions[i * 2 + 1] = y;
        }
        var observations = new float[samples * env.Observer.Dim];
        env.Observer.Observe(states, observations);
        var latents = new float[samples * encoder.LatentDim];
        encoder.Encode(observations, latents, samples);
        return (latents, positions);
    }
}
