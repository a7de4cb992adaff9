using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Planner.IO;

namespace Planner.Data;

/// <summary>
/// Saves and loads a <see cref="TrajectoryDataset"/> as <c>.npz</c>: a zip of NumPy arrays that <c>np.load</c> reads
/// without pickle. Entries: <c>observations.npy</c> (float32 <c>[E, T+1, *ObservationShape]</c>), <c>actions.npy</c>
/// (float32 <c>[E, T, A]</c>), <c>positions.npy</c> (float32 <c>[E, T+1, P]</c>, only when P &gt; 0) and
/// <c>metadata.npy</c> (uint8, UTF-8 JSON: format, version, dimensions, the dataset's attributes and a SHA-256 of the
/// array payloads). Written atomically (<see cref="AtomicFile"/>); loading checks the version, every shape and the
/// checksum. See docs/data-format.md.
/// </summary>
public static class TrajectoryDatasetFile
{
    /// <summary>The <c>format</c> value in the metadata.</summary>
    public const string FormatName = "planner.trajectories";

    /// <summary>The version written; files with a higher version are refused.</summary>
    public const int FormatVersion = 1;

    private const string ObservationsEntry = "observations.npy", ActionsEntry = "actions.npy",
        PositionsEntry = "positions.npy", MetadataEntry = "metadata.npy";

    /// <summary>Writes <paramref name="dataset"/> to <paramref name="path"/> atomically (the folder is created if missing).</summary>
    public static void Save(TrajectoryDataset dataset, string path, CompressionLevel compression = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireLittleEndian();
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            WriteArray(zip, ObservationsEntry, ObservationsShape(dataset), dataset.Observations, hash, compression);
            WriteArray(zip, ActionsEntry, [dataset.Episodes, dataset.Steps, dataset.ActionDim], dataset.Actions, hash, compression);
            if (dataset.PositionDim > 0)
                WriteArray(zip, PositionsEntry, [dataset.Episodes, dataset.Steps + 1, dataset.PositionDim], dataset.Positions, hash, compression);
            byte[] json = MetadataJson(dataset, Convert.ToHexStringLower(hash.GetHashAndReset()));
            using var entry = zip.CreateEntry(MetadataEntry, CompressionLevel.Optimal).Open();
            NpyArray.WriteHeader(entry, "|u1", [json.Length]);
            entry.Write(json);
        });
    }

    /// <summary>Reads a dataset written by <see cref="Save"/> (or by NumPy following docs/data-format.md).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Truncated, corrupted or inconsistent file; the message names the file and the problem.</exception>
    public static TrajectoryDataset Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Dataset file '{path}' does not exist.", path);
        RequireLittleEndian();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var meta = ReadMetadata(zip, path);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var obsShape = new long[2 + meta.ObservationShape.Length];
            obsShape[0] = meta.Episodes; obsShape[1] = meta.Steps + 1;
            for (int i = 0; i < meta.ObservationShape.Length; i++) obsShape[2 + i] = meta.ObservationShape[i];
            float[] observations = ReadArray(zip, path, ObservationsEntry, obsShape, hash);
            float[] actions = ReadArray(zip, path, ActionsEntry, [meta.Episodes, meta.Steps, meta.ActionDim], hash);
            float[]? positions = meta.PositionDim > 0
                ? ReadArray(zip, path, PositionsEntry, [meta.Episodes, meta.Steps + 1, meta.PositionDim], hash)
                : null;
            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, meta.Checksum, StringComparison.OrdinalIgnoreCase))
                throw Bad(path, $"checksum mismatch: metadata records SHA-256 {meta.Checksum} but the arrays hash to {actual}; the file is corrupted");
            return new TrajectoryDataset(meta.Episodes, meta.Steps, meta.ObservationDim, meta.ActionDim, observations, actions,
                meta.PositionDim, positions, meta.Attributes, meta.ObservationShape);
        }
        catch (InvalidDataException ex) when (ex.Data.Contains(OwnMessage))
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException or JsonException
                                       or ArgumentException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw Bad(path, $"unreadable ({ex.GetType().Name}: {ex.Message}); the file is truncated or corrupted", ex);
        }
    }

    private static long[] ObservationsShape(TrajectoryDataset d)
    {
        var shape = new long[2 + d.ObservationShape.Count];
        shape[0] = d.Episodes;
        shape[1] = d.Steps + 1;
        for (int i = 0; i < d.ObservationShape.Count; i++) shape[2 + i] = d.ObservationShape[i];
        return shape;
    }

    private static void WriteArray(ZipArchive zip, string name, long[] shape, float[] data, IncrementalHash hash, CompressionLevel level)
    {
        using var entry = zip.CreateEntry(name, level).Open();
        NpyArray.WriteHeader(entry, "<f4", shape);
        NpyArray.WriteFloats(entry, data, hash);
    }

    private static float[] ReadArray(ZipArchive zip, string path, string name, long[] expected, IncrementalHash hash)
    {
        var entry = zip.GetEntry(name) ?? throw Bad(path, $"has no '{name}' entry");
        using var stream = entry.Open();
        NpyArray.Header header;
        try { header = NpyArray.ReadHeader(stream); }
        catch (FormatException ex) { throw Bad(path, $"'{name}': {ex.Message}", ex); }
        catch (EndOfStreamException ex) { throw Bad(path, $"'{name}' is truncated inside its header", ex); }
        if (header.Descr != "<f4") throw Bad(path, $"'{name}' has dtype '{header.Descr}'; expected '<f4' (little-endian float32)");
        if (header.FortranOrder) throw Bad(path, $"'{name}' is Fortran-ordered; expected C order");
        string expectedText = $"({string.Join(", ", expected)})";
        if (!header.Shape.AsSpan().SequenceEqual(expected))
            throw Bad(path, $"'{name}' has shape {header.ShapeText} but the metadata implies {expectedText}");
        long bytes = header.HeaderBytes + header.Count * sizeof(float);
        if (entry.Length != bytes)
            throw Bad(path, $"'{name}' holds {entry.Length} bytes; shape {expectedText} float32 needs {bytes} (truncated or padded)");
        if (header.Count > Array.MaxLength) throw Bad(path, $"'{name}' has {header.Count} elements, more than one array holds");
        var data = new float[header.Count];
        try { NpyArray.ReadFloats(stream, data, hash); }
        catch (EndOfStreamException ex) { throw Bad(path, $"'{name}' ends before its {header.Count} float32 values (truncated)", ex); }
        return data;
    }

    private sealed record Meta(int Episodes, int Steps, int ObservationDim, int[] ObservationShape, int ActionDim, int PositionDim,
        string Checksum, Dictionary<string, string> Attributes);

    private static byte[] MetadataJson(TrajectoryDataset d, string checksum)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("format_version", FormatVersion);
            w.WriteNumber("episodes", d.Episodes);
            w.WriteNumber("steps", d.Steps);
            w.WriteNumber("observation_dim", d.ObservationDim);
            w.WriteStartArray("observation_shape");
            foreach (int s in d.ObservationShape) w.WriteNumberValue(s);
            w.WriteEndArray();
            w.WriteNumber("action_dim", d.ActionDim);
            w.WriteNumber("position_dim", d.PositionDim);
            w.WriteString("dtype", "float32");
            w.WriteStartObject("checksum");
            w.WriteString("algorithm", "sha256");
            w.WriteString("over", "raw bytes of observations, actions, positions (if present), in that order");
            w.WriteString("value", checksum);
            w.WriteEndObject();
            w.WriteStartObject("attributes");
            foreach (var (key, value) in d.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static Meta ReadMetadata(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(MetadataEntry) ?? throw Bad(path, $"has no '{MetadataEntry}' entry; it is not a Planner dataset");
        using var stream = entry.Open();
        NpyArray.Header header;
        try { header = NpyArray.ReadHeader(stream); }
        catch (FormatException ex) { throw Bad(path, $"'{MetadataEntry}': {ex.Message}", ex); }
        if (header.Descr is not ("|u1" or "<u1") || header.Shape.Length != 1 || header.Shape[0] > 1 << 24)
            throw Bad(path, $"'{MetadataEntry}' must be a 1-D uint8 array of UTF-8 JSON; found dtype '{header.Descr}' shape {header.ShapeText}");
        var json = new byte[header.Shape[0]];
        stream.ReadExactly(json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string format = root.GetProperty("format").GetString() ?? "";
        if (format != FormatName) throw Bad(path, $"metadata format is '{format}'; expected '{FormatName}'");
        int version = root.GetProperty("format_version").GetInt32();
        if (version < 1 || version > FormatVersion)
            throw Bad(path, $"format_version {version} is not supported (this build reads 1..{FormatVersion}); upgrade Planner");
        int episodes = Positive(root, "episodes", path), steps = Positive(root, "steps", path);
        int obsDim = Positive(root, "observation_dim", path), actionDim = Positive(root, "action_dim", path);
        int positionDim = root.GetProperty("position_dim").GetInt32();
        if (positionDim < 0) throw Bad(path, $"metadata position_dim is {positionDim}; expected >= 0");
        var shape = new List<int>();
        foreach (var s in root.GetProperty("observation_shape").EnumerateArray()) shape.Add(s.GetInt32());
        long product = 1;
        foreach (int s in shape) product *= s;
        if (shape.Count == 0 || product != obsDim || shape.Exists(s => s < 1))
            throw Bad(path, $"metadata observation_shape [{string.Join(", ", shape)}] does not multiply to observation_dim {obsDim}");
        string checksum = root.GetProperty("checksum").GetProperty("value").GetString() ?? "";
        var attributes = new Dictionary<string, string>();
        if (root.TryGetProperty("attributes", out var attrs))
            foreach (var p in attrs.EnumerateObject()) attributes[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return new Meta(episodes, steps, obsDim, [.. shape], actionDim, positionDim, checksum, attributes);
    }

    private static int Positive(JsonElement root, string name, string path)
    {
        int value = root.GetProperty(name).GetInt32();
        if (value < 1) throw Bad(path, $"metadata {name} is {value}; expected >= 1");
        return value;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Dataset files are little-endian; big-endian hosts are not supported.");
    }

    /// <summary>Marks exceptions whose message already names the file, so they are not wrapped twice.</summary>
    private const string OwnMessage = "Planner.Data.TrajectoryDatasetFile";

    private static InvalidDataException Bad(string path, string what, Exception? inner = null)
    {
        var ex = new InvalidDataException($"Dataset file '{path}': {what}.", inner);
        ex.Data[OwnMessage] = true;
        return ex;
    }
}
