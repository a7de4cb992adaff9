using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Planner.IO;
using Planner.Models;

namespace Planner.Checkpoints;

/// <summary>
/// A world-model checkpoint directory: <c>model.safetensors</c> (every weight, float32) and <c>model.json</c>
/// (<see cref="WorldModelMetadata"/>). Both files are written atomically, weights first, so a reader sees either the old
/// checkpoint or the new one; loading checks the checksum and every tensor's shape against the metadata. Needs no
/// libtorch: the managed backend reads the state encoder and predictor as <see cref="MlpWeights"/>.
/// </summary>
public sealed class WorldModelCheckpoint
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The metadata file's name.</summary>
    public const string MetadataFileName = "model.json";

    /// <summary>Tensor-name prefix of the encoder.</summary>
    public const string EncoderPrefix = "encoder";

    /// <summary>Tensor-name prefix of the predictor.</summary>
    public const string PredictorPrefix = "predictor";

    /// <summary>Tensor-name prefix of the inverse-dynamics head.</summary>
    public const string InverseDynamicsPrefix = "inverse";

    /// <summary>The JSON settings of <c>model.json</c> (camelCase names, enums as strings, indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        // A misspelt or foreign key is an error naming the key, never silently ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private WorldModelCheckpoint(string directory, WorldModelMetadata metadata, IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        Directory = directory;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The directory it was read from.</summary>
    public string Directory { get; }

    /// <summary>The validated metadata.</summary>
    public WorldModelMetadata Metadata { get; }

    /// <summary>Every tensor, by name, each checked against <see cref="WorldModelMetadata.ExpectedTensors"/>.</summary>
    public IReadOnlyDictionary<string, NamedTensor> Tensors { get; }

    /// <summary>
    /// Writes a checkpoint into <paramref name="directory"/> (created if needed): the weights (atomically), then
    /// <c>model.json</c> with their SHA-256 (atomically). Validates the metadata and that <paramref name="tensors"/> are
    /// exactly the ones it implies.
    /// </summary>
    public static void Save(string directory, WorldModelMetadata metadata, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        metadata.Validate("metadata");
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var t in tensors) byName[t.Name] = t;
        CheckTensors(metadata, byName, "tensors");

        WeightsFile.Write(directory, WeightsFileName, MetadataFileName, tensors,
            new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "Planner" },
            sha => JsonSerializer.SerializeToUtf8Bytes(metadata with { WeightsFile = WeightsFileName, WeightsSha256 = sha }, JsonOptions));
    }

    /// <summary>
    /// Reads and validates a checkpoint. Throws <see cref="CheckpointException"/> naming the problem: a missing file,
    /// malformed or inconsistent metadata, a truncated weights file, a checksum mismatch, a missing or extra tensor,
    /// or a tensor whose shape disagrees with the metadata.
    /// </summary>
    public static WorldModelCheckpoint Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new CheckpointException($"checkpoint directory '{directory}' does not exist.");
        string jsonPath = Path.Combine(directory, MetadataFileName);
        if (!File.Exists(jsonPath))
            throw new CheckpointException($"'{jsonPath}' is missing: a checkpoint directory holds {MetadataFileName} and {WeightsFileName}.");
        var metadata = CheckpointJson.Read<WorldModelMetadata>(jsonPath, "checkpoint metadata");
        metadata.Validate(jsonPath);

        var content = WeightsFile.Read(directory, metadata.WeightsFile, metadata.WeightsSha256, MetadataFileName);
        CheckTensors(metadata, content.Tensors, $"'{Path.Combine(directory, metadata.WeightsFile)}'");
        return new WorldModelCheckpoint(directory, metadata, content.Tensors);
    }

    /// <summary>The MLP under <paramref name="prefix"/> (<see cref="PredictorPrefix"/>, <see cref="InverseDynamicsPrefix"/>, or <see cref="EncoderPrefix"/> for an MLP encoder).</summary>
    public MlpWeights ReadMlp(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        MlpSpec spec = prefix switch
        {
            EncoderPrefix => Metadata.Encoder.Kind == EncoderKind.Mlp ? Metadata.Encoder.Mlp!
                : throw new InvalidOperationException($"the encoder of '{Directory}' is a {Metadata.Encoder.Kind} network, not an MLP; load it with the Torch backend (TrainedWorldModel.Load)."),
            PredictorPrefix => Metadata.Predictor,
            InverseDynamicsPrefix => Metadata.InverseDynamics ?? throw new InvalidOperationException($"'{Directory}' has no inverse-dynamics head."),
            EncoderPrefix + ".head" => Metadata.Encoder.Conv?.Head ?? throw new InvalidOperationException($"the encoder of '{Directory}' has no CNN head."),
            _ => throw new ArgumentException($"prefix '{prefix}' is unknown; expected '{EncoderPrefix}', '{PredictorPrefix}' or '{InverseDynamicsPrefix}'.", nameof(prefix)),
        };
        return MlpFromTensors(prefix, spec, Tensors);
    }

    /// <summary>The state encoder's weights (the encoder must be an MLP).</summary>
    public MlpWeights EncoderMlp() => ReadMlp(EncoderPrefix);

    /// <summary>The predictor's weights: <c>z' = z + MLP([z, a])</c>.</summary>
    public MlpWeights PredictorMlp() => ReadMlp(PredictorPrefix);

    /// <summary>Reads one MLP of the checkpoint in <paramref name="directory"/> without libtorch (see <see cref="ReadMlp(string)"/>).</summary>
    public static MlpWeights ReadMlp(string directory, string prefix) => Load(directory).ReadMlp(prefix);

    /// <summary>Tensors for an MLP under <paramref name="prefix"/> (names as in <see cref="MlpSpec.Tensors"/>).</summary>
    public static IEnumerable<NamedTensor> MlpTensors(string prefix, MlpWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        for (int i = 0; i < weights.Layers.Count; i++)
        {
            var l = weights.Layers[i];
            yield return new NamedTensor($"{prefix}.layers.{i}.weight", [l.Out, l.In], (float[])l.Weight.Clone());
            yield return new NamedTensor($"{prefix}.layers.{i}.bias", [l.Out], (float[])l.Bias.Clone());
        }
    }

    /// <summary>Builds <see cref="MlpWeights"/> from the tensors under <paramref name="prefix"/>, shaped as <paramref name="spec"/> says.</summary>
    public static MlpWeights MlpFromTensors(string prefix, MlpSpec spec, IReadOnlyDictionary<string, NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tensors);
        var layers = new DenseLayer[spec.LayerSizes.Length - 1];
        for (int i = 0; i < layers.Length; i++)
        {
            var w = Get(tensors, $"{prefix}.layers.{i}.weight", [spec.LayerSizes[i + 1], spec.LayerSizes[i]]);
            var b = Get(tensors, $"{prefix}.layers.{i}.bias", [spec.LayerSizes[i + 1]]);
            layers[i] = new DenseLayer(spec.LayerSizes[i], spec.LayerSizes[i + 1], (float[])w.Data.Clone(), (float[])b.Data.Clone());
        }
        return new MlpWeights(layers, spec.Activation);
    }

    private static NamedTensor Get(IReadOnlyDictionary<string, NamedTensor> tensors, string name, int[] shape)
    {
        if (!tensors.TryGetValue(name, out var t))
            throw new CheckpointException($"tensor '{name}' is missing.");
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new CheckpointException($"tensor '{name}' has shape {NamedTensor.Format(t.Shape)}; expected {NamedTensor.Format(shape)}.");
        return t;
    }

    private static void CheckTensors(WorldModelMetadata metadata, IReadOnlyDictionary<string, NamedTensor> tensors, string source) =>
        WeightsFile.CheckTensors(metadata.ExpectedTensors(), tensors, MetadataFileName, source);
}
