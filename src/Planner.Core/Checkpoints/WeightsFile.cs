using System.Security.Cryptography;
using Planner.IO;

namespace Planner.Checkpoints;

/// <summary>
/// The weights half of every checkpoint (a safetensors file beside a JSON file that records its SHA-256): writing both
/// atomically, weights first, and reading the weights back verified (present, checksum, parseable, finite).
/// </summary>
internal static class WeightsFile
{
    /// <summary>Checks every tensor is finite, serialises them, then writes the weights and the JSON that <paramref name="jsonFor"/> builds from their SHA-256.</summary>
    public static void Write(string directory, string weightsName, string jsonName, IReadOnlyList<NamedTensor> tensors,
        IReadOnlyDictionary<string, string> header, Func<string, byte[]> jsonFor)
    {
        foreach (var t in tensors)
        {
            int bad = Guard.FirstNonFinite(t.Data);
            if (bad >= 0) throw new ArgumentException($"tensor '{t.Name}' holds {t.Data[bad]} at index {bad}; weights must be finite.", nameof(tensors));
        }
        byte[] weights = SafeTensors.Serialize(tensors, header);
        byte[] json = jsonFor(Sha256(weights));
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, weightsName), weights);
        AtomicFile.WriteAllBytes(Path.Combine(directory, jsonName), json);
    }

    /// <summary>Reads <paramref name="weightsName"/> in <paramref name="directory"/>; throws <see cref="CheckpointException"/> naming the problem.</summary>
    public static SafeTensorsContent Read(string directory, string weightsName, string expectedSha256, string jsonName)
    {
        string weightsPath = Path.Combine(directory, weightsName);
        if (!File.Exists(weightsPath))
            throw new CheckpointException($"'{weightsPath}' is missing (named by {jsonName}).");
        byte[] bytes = File.ReadAllBytes(weightsPath);
        // Parse first: a truncated file is reported as truncated, which says more than a checksum mismatch.
        var content = SafeTensors.Parse(bytes, $"'{weightsPath}'");
        string sha = Sha256(bytes);
        if (!string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException($"'{weightsPath}' has SHA-256 {sha}, but {jsonName} records {expectedSha256}: the weights file is corrupted or belongs to another checkpoint.");
        foreach (var t in content.Tensors.Values)
        {
            int bad = Guard.FirstNonFinite(t.Data);
            if (bad >= 0) throw new CheckpointException($"'{weightsPath}': tensor '{t.Name}' holds {t.Data[bad]} at index {bad}; weights must be finite.");
        }
        return content;
    }

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless <paramref name="tensors"/> hold exactly the <paramref name="expected"/>
    /// names with their shapes (the architecture that <paramref name="jsonName"/> describes).
    /// </summary>
    public static void CheckTensors(IEnumerable<(string Name, int[] Shape)> expected, IReadOnlyDictionary<string, NamedTensor> tensors, string jsonName, string source)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            names.Add(name);
            if (!tensors.TryGetValue(name, out var t))
                throw new CheckpointException($"{source}: tensor '{name}' (shape {NamedTensor.Format(shape)}) is missing, but {jsonName}'s architecture needs it.");
            if (!t.Shape.AsSpan().SequenceEqual(shape))
                throw new CheckpointException($"{source}: tensor '{name}' has shape {NamedTensor.Format(t.Shape)}, but {jsonName}'s architecture implies {NamedTensor.Format(shape)}.");
        }
        foreach (var name in tensors.Keys)
            if (!names.Contains(name))
                throw new CheckpointException($"{source}: tensor '{name}' is not part of the architecture {jsonName} describes (an extra or renamed tensor).");
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
