using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Planner.IO;
using Planner.Models;

namespace Planner.Checkpoints;

/// <summary>
/// A macro-level checkpoint directory (e.g. <c>&lt;model&gt;/level1/</c>): <c>level.safetensors</c> (macro-action
/// encoder and predictor, float32) and <c>level.json</c> (<see cref="LevelMetadata"/>). Written atomically, weights
/// first; loading checks the checksum, every tensor's shape and finiteness. Needs no libtorch: the managed backend
/// plans at this level with <c>new ResidualMlp(S, M, checkpoint.PredictorMlp())</c>.
/// </summary>
public sealed class LevelCheckpoint
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "level.safetensors";

    /// <summary>The metadata file's name.</summary>
    public const string MetadataFileName = "level.json";

    /// <summary>Tensor-name prefix of the macro-action encoder.</summary>
    public const string MacroEncoderPrefix = "macro_encoder";

    /// <summary>Tensor-name prefix of the level's predictor (member 0 of an ensemble).</summary>
    public const string PredictorPrefix = "predictor";

    /// <summary>Tensor-name prefix of ensemble member <paramref name="member"/>: <c>predictor</c>, <c>predictor1</c>, <c>predictor2</c>...</summary>
    public static string PredictorPrefixOf(int member)
    {
        Guard.AtLeast(member, 0, nameof(member));
        return member == 0 ? PredictorPrefix : PredictorPrefix + member.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private LevelCheckpoint(string directory, LevelMetadata metadata, IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        Directory = directory;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The directory it was read from.</summary>
    public string Directory { get; }

    /// <summary>The validated metadata.</summary>
    public LevelMetadata Metadata { get; }

    /// <summary>Every tensor, by name, each checked against <see cref="LevelMetadata.ExpectedTensors"/>.</summary>
    public IReadOnlyDictionary<string, NamedTensor> Tensors { get; }

    /// <summary>The macro-action encoder's MLP (apply tanh to its output).</summary>
    public MlpWeights MacroEncoderMlp() => WorldModelCheckpoint.MlpFromTensors(MacroEncoderPrefix, Metadata.MacroEncoder, Tensors);

    /// <summary>
    /// The predictor's MLP: <c>z' = z + MLP([z, m])</c>, usable as <c>new ResidualMlp(S, M, weights)</c>; of ensemble
    /// member <paramref name="member"/> (0 &lt;= member &lt; <see cref="LevelMetadata.EnsembleSize"/>).
    /// </summary>
    public MlpWeights PredictorMlp(int member = 0)
    {
        if ((uint)member >= (uint)Metadata.EnsembleSize)
            throw new ArgumentOutOfRangeException(nameof(member), member, $"member must be in [0, {Metadata.EnsembleSize}): the level has {Metadata.EnsembleSize} predictor(s).");
        return WorldModelCheckpoint.MlpFromTensors(PredictorPrefixOf(member), Metadata.Predictor, Tensors);
    }

    /// <summary>
    /// Writes the checkpoint into <paramref name="directory"/> (created if needed): weights, then <c>level.json</c>
    /// with their SHA-256, each atomically. Validates the metadata and that <paramref name="tensors"/> are exactly the
    /// ones it implies.
    /// </summary>
    public static void Save(string directory, LevelMetadata metadata, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        metadata.Validate("metadata");
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var t in tensors) byName[t.Name] = t;
        CheckTensors(metadata, byName, "tensors");
        WeightsFile.Write(directory, WeightsFileName, MetadataFileName, tensors,
            new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "Planner", ["kind"] = LevelMetadata.FormatName },
            sha => JsonSerializer.SerializeToUtf8Bytes(metadata with { WeightsFile = WeightsFileName, WeightsSha256 = sha }, WorldModelCheckpoint.JsonOptions));
    }

    /// <summary>
    /// Reads and validates a checkpoint. Throws <see cref="CheckpointException"/> naming the problem: a missing file,
    /// malformed or inconsistent metadata, a truncated weights file, a checksum mismatch, a missing, extra, misshapen
    /// or non-finite tensor.
    /// </summary>
    public static LevelCheckpoint Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new CheckpointException($"level checkpoint directory '{directory}' does not exist.");
        string jsonPath = Path.Combine(directory, MetadataFileName);
        if (!File.Exists(jsonPath))
            throw new CheckpointException($"'{jsonPath}' is missing: a level checkpoint directory holds {MetadataFileName} and {WeightsFileName}.");
        var metadata = CheckpointJson.Read<LevelMetadata>(jsonPath, "level metadata");
        metadata.Validate(jsonPath);

        var content = WeightsFile.Read(directory, metadata.WeightsFile, metadata.WeightsSha256, MetadataFileName);
        CheckTensors(metadata, content.Tensors, $"'{Path.Combine(directory, metadata.WeightsFile)}'");
        return new LevelCheckpoint(directory, metadata, content.Tensors);
    }

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless this level fits the level-0 model: same latent size and base
    /// action size, and (when both are known) the same encoder fingerprint.
    /// </summary>
    public void CheckBase(WorldModelMetadata baseModel, string baseEncoderSha256) => CheckBase(Metadata, baseModel, baseEncoderSha256, Directory);

    /// <summary>See <see cref="CheckBase(WorldModelMetadata, string)"/>; <paramref name="source"/> names the level in messages.</summary>
    public static void CheckBase(LevelMetadata level, WorldModelMetadata baseModel, string baseEncoderSha256, string source)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(baseModel);
        if (level.LatentDim != baseModel.LatentDim)
            throw new CheckpointException($"{source}: level {level.Level} plans in a latent of size {level.LatentDim}, but the level-0 model's latent has {baseModel.LatentDim}.");
        if (level.BaseActionDim != baseModel.ActionDim)
            throw new CheckpointException($"{source}: level {level.Level} encodes chunks of {level.BaseActionDim}-dimensional actions, but the level-0 model's actions have {baseModel.ActionDim}.");
        if (!string.IsNullOrEmpty(level.BaseEncoderSha256) && !string.IsNullOrEmpty(baseEncoderSha256)
            && !string.Equals(level.BaseEncoderSha256, baseEncoderSha256, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException($"{source}: level {level.Level} was trained on the level-0 encoder {level.BaseEncoderSha256}, but this level-0 encoder is {baseEncoderSha256}: its latent space is a different one (retrain the level).");
    }

    /// <summary>
    /// SHA-256 (lower-case hex) identifying a level-0 latent space: the observation normalisation and every tensor
    /// whose name starts with <c>encoder.</c>, in name order (names, shapes and float32 values, little-endian).
    /// </summary>
    public static string EncoderFingerprint(IEnumerable<NamedTensor> tensors, ObservationNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(normalization);
        var encoder = new List<NamedTensor>();
        foreach (var t in tensors)
            if (t.Name.StartsWith(WorldModelCheckpoint.EncoderPrefix + ".", StringComparison.Ordinal)) encoder.Add(t);
        encoder.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendFloats(hash, normalization.Mean);
        AppendFloats(hash, normalization.Std);
        Span<byte> four = stackalloc byte[4];
        foreach (var t in encoder)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(t.Name));
            hash.AppendData([0]);
            foreach (int d in t.Shape)
            {
                BinaryPrimitives.WriteInt32LittleEndian(four, d);
                hash.AppendData(four);
            }
            AppendFloats(hash, t.Data);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendFloats(IncrementalHash hash, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        hash.AppendData(bytes);
    }

    private static void CheckTensors(LevelMetadata metadata, IReadOnlyDictionary<string, NamedTensor> tensors, string source) =>
        WeightsFile.CheckTensors(metadata.ExpectedTensors(), tensors, MetadataFileName, source);
}
