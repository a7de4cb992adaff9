using System.Text.Json;

namespace Planner.Checkpoints;

/// <summary>Reads the JSON files of checkpoints: any malformed content (bad JSON, invalid UTF-8, wrong types, unknown keys, null) becomes a <see cref="CheckpointException"/> naming the file.</summary>
internal static class CheckpointJson
{
    public static T Read<T>(string path, string what) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), WorldModelCheckpoint.JsonOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or EndOfStreamException or FormatException)
        {
            throw new CheckpointException($"'{path}' is not valid {what}: {e.Message}", e);
        }
        return value ?? throw new CheckpointException($"'{path}' is empty (null).");
    }
}
