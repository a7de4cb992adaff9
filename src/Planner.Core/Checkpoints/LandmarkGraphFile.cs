using System.Text.Json;
using Planner.IO;
using Planner.Landmarks;

namespace Planner.Checkpoints;

/// <summary>
/// <c>landmarks.json</c> of a model directory: a <see cref="LandmarkGraph"/> in the latent space of the directory's
/// level-0 encoder, with that encoder's fingerprint, so a graph built for another model is refused rather than used.
/// </summary>
public sealed record LandmarkGraphFile
{
    /// <summary>The file name inside a model directory.</summary>
    public const string FileName = "landmarks.json";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "planner-landmarks";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version (1).</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary><see cref="LevelCheckpoint.EncoderFingerprint"/> of the encoder whose latents the landmarks are.</summary>
    public required string EncoderFingerprint { get; init; }

    /// <summary>Latent size S.</summary>
    public required int LatentDim { get; init; }

    /// <summary>Landmarks, <c>[K x S]</c> row-major.</summary>
    public required float[] Landmarks { get; init; }

    /// <summary>Undirected edges as landmark index pairs, each once.</summary>
    public required int[][] Edges { get; init; }

    /// <summary>Writes <paramref name="graph"/> to <paramref name="directory"/>/landmarks.json atomically.</summary>
    public static void Save(LandmarkGraph graph, string encoderFingerprint, string directory)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(encoderFingerprint);
        var edges = graph.Edges();
        var pairs = new int[edges.Count][];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = [edges[i].From, edges[i].To];
        var file = new LandmarkGraphFile { EncoderFingerprint = encoderFingerprint, LatentDim = graph.LatentDim, Landmarks = graph.Landmarks.ToArray(), Edges = pairs };
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(file, WorldModelCheckpoint.JsonOptions));
    }

    /// <summary>
    /// Reads <paramref name="directory"/>/landmarks.json; throws <see cref="CheckpointException"/> when it is missing,
    /// malformed, or was built for an encoder other than <paramref name="encoderFingerprint"/>.
    /// </summary>
    public static LandmarkGraph Load(string directory, string encoderFingerprint)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new CheckpointException($"'{path}' does not exist; build the graph with 'planner landmarks --data FILE.npz --model {directory}'.");
        LandmarkGraphFile? file;
        try { file = JsonSerializer.Deserialize<LandmarkGraphFile>(File.ReadAllBytes(path), WorldModelCheckpoint.JsonOptions); }
        catch (JsonException e) { throw new CheckpointException($"{path}: not a landmark graph ({e.Message})."); }
        if (file is null || file.Format != FormatName) throw new CheckpointException($"{path}: format is '{file?.Format}'; expected '{FormatName}'.");
        if (file.FormatVersion != 1) throw new CheckpointException($"{path}: formatVersion is {file.FormatVersion}; this build reads version 1.");
        if (file.EncoderFingerprint != encoderFingerprint)
            throw new CheckpointException($"{path} was built for another encoder (fingerprint {file.EncoderFingerprint[..Math.Min(12, file.EncoderFingerprint.Length)]}...); rebuild it with 'planner landmarks' for this model.");
        var edges = new (int, int)[file.Edges.Length];
        for (int i = 0; i < edges.Length; i++)
        {
            if (file.Edges[i] is not { Length: 2 } pair) throw new CheckpointException($"{path}: edge {i} is not a pair of landmark indices.");
            edges[i] = (pair[0], pair[1]);
        }
        try { return new LandmarkGraph(file.LatentDim, file.Landmarks, edges); }
        catch (ArgumentException e) { throw new CheckpointException($"{path}: {e.Message}"); }
    }
}
