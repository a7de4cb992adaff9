using System.Text.Json;
using Planner.IO;

namespace Planner.Checkpoints;

/// <summary>
/// <c>hierarchy.json</c> of a hierarchy directory: level 0 is the world-model checkpoint in the directory itself
/// (<c>model.json</c> + <c>model.safetensors</c>), level k &gt;= 1 a <see cref="LevelCheckpoint"/> in
/// <c>level{k}/</c>. Lists the levels and their time-scales so a reader knows what to load without probing folders.
/// </summary>
public sealed record HierarchyManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "hierarchy.json";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "planner-hierarchy";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (1).</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Time-scale tau of every level, level 0 first (always 1), strictly increasing.</summary>
    public required int[] TimeScales { get; init; }

    /// <summary>Number of levels L.</summary>
    public int Levels => TimeScales.Length;

    /// <summary>The sub-directory of level <paramref name="level"/> (&gt;= 1), relative to the hierarchy directory.</summary>
    public static string LevelDirectory(int level)
    {
        Guard.AtLeast(level, 1, nameof(level));
        return "level" + level.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Throws <see cref="CheckpointException"/> unless the format is known and the time-scales start at 1 and increase.</summary>
    public void Validate(string source = FileName)
    {
        if (Format != FormatName) throw new CheckpointException($"{source}: format is '{Format}'; expected '{FormatName}'.");
        if (FormatVersion != 1) throw new CheckpointException($"{source}: formatVersion is {FormatVersion}; this build reads version 1.");
        if (TimeScales is null || TimeScales.Length == 0) throw new CheckpointException($"{source}: timeScales is missing or empty.");
        if (TimeScales[0] != 1) throw new CheckpointException($"{source}: timeScales[0] is {TimeScales[0]}; level 0 acts every base step (1).");
        for (int k = 1; k < TimeScales.Length; k++)
            if (TimeScales[k] <= TimeScales[k - 1])
                throw new CheckpointException($"{source}: timeScales[{k}] = {TimeScales[k]} is not coarser than timeScales[{k - 1}] = {TimeScales[k - 1]}.");
    }

    /// <summary>Writes <c>hierarchy.json</c> into <paramref name="directory"/> atomically.</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Validate("manifest");
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, WorldModelCheckpoint.JsonOptions));
    }

    /// <summary>Reads and validates <c>hierarchy.json</c> in <paramref name="directory"/>.</summary>
    public static HierarchyManifest Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new CheckpointException($"'{path}' is missing: '{directory}' is not a hierarchy directory (train one with HierarchyTrainer / `planner train --levels L`).");
        var manifest = CheckpointJson.Read<HierarchyManifest>(path, "hierarchy manifest");
        manifest.Validate(path);
        return manifest;
    }
}
