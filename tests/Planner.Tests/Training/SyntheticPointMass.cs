using Planner.Data;
using Planner.Numerics;

namespace Planner.Tests.Training;

/// <summary>
/// Test data without the environments project: a point mass in the open box [-1, 1]^2 (velocity damped, pushed by the
/// action, stopped by the walls), random actions held for a few steps. State obs = (x, y, vx, vy); image obs = a
/// Gaussian blob at the position on a small grid.
/// </summary>
internal static class SyntheticPointMass
{
    public static TrajectoryDataset States(int episodes, int steps, int seed) => Generate(episodes, steps, seed, imageSide: 0);

    public static TrajectoryDataset Images(int episodes, int steps, int seed, int side) => Generate(episodes, steps, seed, side);

    private static TrajectoryDataset Generate(int episodes, int steps, int seed, int imageSide)
    {
        int o = imageSide > 0 ? imageSide * imageSide : 4;
        var obs = new float[episodes * (steps + 1) * o];
        var actions = new float[episodes * steps * 2];
        var positions = new float[episodes * (steps + 1) * 2];
        var rng = new DeterministicRandom((ulong)seed + 1234);
        for (int e = 0; e < episodes; e++)
        {
            float x = rng.NextFloat(-0.9f, 0.9f), y = rng.NextFloat(-0.9f, 0.9f), vx = 0, vy = 0, ax = 0, ay = 0;
            for (int t = 0; t <= steps; t++)
            {
                int row = e * (steps + 1) + t;
                positions[row * 2] = x;
                positions[row * 2 + 1] = y;
                Observe(obs.AsSpan(row * o, o), x, y, vx, vy, imageSide);
                if (t == steps) break;
                if (t % 4 == 0) { ax = rng.NextFloat(-1, 1); ay = rng.NextFloat(-1, 1); }
                actions[(e * steps + t) * 2] = ax;
                actions[(e * steps + t) * 2 + 1] = ay;
                vx = Math.Clamp(0.8f * vx + 0.5f * ax, -1f, 1f);
                vy = Math.Clamp(0.8f * vy + 0.5f * ay, -1f, 1f);
                x += 0.1f * vx;
                y += 0.1f * vy;
                if (MathF.Abs(x) > 1) { x = Math.Clamp(x, -1f, 1f); vx = 0; }
                if (MathF.Abs(y) > 1) { y = Math.Clamp(y, -1f, 1f); vy = 0; }
            }
        }
        var metadata = new Dictionary<string, string> { ["environment"] = "synthetic-box", ["observation"] = imageSide > 0 ? "pixels" : "state" };
        return new TrajectoryDataset(episodes, steps, o, 2, obs, actions, 2, positions, metadata);
    }

    private static void Observe(Span<float> o, float x, float y, float vx, float vy, int side)
    {
        if (side == 0)
        {
            o[0] = x; o[1] = y; o[2] = vx; o[3] = vy;
            return;
        }
        float cx = (x + 1) * 0.5f * (side - 1), cy = (y + 1) * 0.5f * (side - 1);
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
            {
                float d2 = (c - cx) * (c - cx) + (r - cy) * (r - cy);
                o[r * side + c] = MathF.Exp(-d2 / 2f);
            }
    }
}
