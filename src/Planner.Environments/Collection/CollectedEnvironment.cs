using System.Globalization;
using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Environments.Physics;

namespace Planner.Environments.Collection;

/// <summary>
/// The environment a dataset was collected in, rebuilt from its metadata (layout text, physics, observation kind), so
/// training and evaluation use exactly the maze and dynamics the data came from.
/// </summary>
/// <param name="Layout">The maze.</param>
/// <param name="Physics">The point-mass dynamics.</param>
/// <param name="Observation">State vector or pixels.</param>
/// <param name="ImageSize">Image side for pixels (64 by default).</param>
public sealed record CollectedEnvironment(MazeLayout Layout, PointMassOptions Physics, ObservationKind Observation, int ImageSize)
{
    /// <summary>Reads the attributes written by <see cref="DataCollector"/> (e.g. <c>TrajectoryDataset.Metadata</c>).</summary>
    /// <exception cref="ArgumentException">A required key is missing or malformed; the message names it.</exception>
    public static CollectedEnvironment FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string env = Get(metadata, "environment");
        if (env != DataCollector.EnvironmentName)
            throw new ArgumentException($"metadata environment is '{env}'; expected '{DataCollector.EnvironmentName}'.", nameof(metadata));
        var layout = MazeLayout.Parse(Get(metadata, "layout_text"), metadata.TryGetValue("layout", out var name) && name.Length > 0 ? name : "dataset");
        var physics = new PointMassOptions
        {
            TimeStep = Float(metadata, "dt"),
            Acceleration = Float(metadata, "acceleration"),
            Damping = Float(metadata, "damping"),
            MaxSpeed = Float(metadata, "max_speed"),
            Radius = Float(metadata, "radius"),
        };
        physics.Validate();
        var kind = Get(metadata, "observation") switch
        {
            "state" => ObservationKind.State,
            "pixels" => ObservationKind.Pixels,
            var other => throw new ArgumentException($"metadata observation is '{other}'; expected 'state' or 'pixels'.", nameof(metadata)),
        };
        int size = 64;
        if (kind == ObservationKind.Pixels && !int.TryParse(Get(metadata, "image_size"), NumberStyles.None, CultureInfo.InvariantCulture, out size))
            throw new ArgumentException($"metadata image_size '{metadata["image_size"]}' is not an integer.", nameof(metadata));
        return new CollectedEnvironment(layout, physics, kind, size);
    }

    /// <summary>A fresh environment with the same maze, dynamics and observations.</summary>
    public MazeEnvironment CreateEnvironment() => new(Layout, Physics, Observation, ImageSize);

    /// <summary>The stateless dynamics, for batched stepping.</summary>
    public PointMassMaze CreateDynamics() => new(Layout, Physics);

    private static string Get(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value)
            ? value
            : throw new ArgumentException($"metadata has no '{key}' entry; was the dataset collected by DataCollector?", nameof(metadata));

    private static float Float(IReadOnlyDictionary<string, string> metadata, string key) =>
        float.TryParse(Get(metadata, key), NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
            ? v
            : throw new ArgumentException($"metadata '{key}' = '{metadata[key]}' is not a number.", nameof(metadata));
}
