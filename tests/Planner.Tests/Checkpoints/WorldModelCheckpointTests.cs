using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Planner.Checkpoints;
using Planner.Tests.Training;
using Planner.Torch.Training;

namespace Planner.Tests.Checkpoints;

public class WorldModelCheckpointTests
{
    private string _dir = "";
    private static TrainedWorldModel? s_model, s_imageModel;

    [OneTimeSetUp]
    public void TrainTinyModels()
    {
        var options = new JepaOptions { LatentDim = 6, EncoderHidden = [16], PredictorHidden = [16], PredictionSteps = 2, ChunkSteps = 4, Epochs = 1, Threads = 1, InverseDynamicsWeight = 0.1 };
        s_model = JepaTrainer.Train(SyntheticPointMass.States(6, 8, seed: 1), options);
        s_imageModel = JepaTrainer.Train(SyntheticPointMass.Images(4, 8, seed: 2, side: 16), options with { ConvChannels = [4, 4], ConvHeadHidden = [16], InverseDynamicsWeight = 0 });
    }

    [OneTimeTearDown]
    public void DisposeModels()
    {
        s_model?.Dispose();
        s_imageModel?.Dispose();
    }

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("planner-ckpt-").FullName;

    [TearDown]
    public void RemoveDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string WeightsPath => Path.Combine(_dir, WorldModelCheckpoint.WeightsFileName);

    private string JsonPath => Path.Combine(_dir, WorldModelCheckpoint.MetadataFileName);

    [Test]
    public void RoundTripIsBitExactAndPredictsTheSame([Values] bool image)
    {
        var model = image ? s_imageModel! : s_model!;
        model.Save(_dir);
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "model.safetensors", "model.json" }), "no temporary files left");
        using var loaded = TrainedWorldModel.Load(_dir);

        var before = model.ToTensors();
        var after = loaded.ToTensors();
        Assert.That(after.Select(t => t.Name), Is.EqualTo(before.Select(t => t.Name)));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.That(after[i].Shape, Is.EqualTo(before[i].Shape), before[i].Name);
            Assert.That(after[i].Data, Is.EqualTo(before[i].Data), before[i].Name);
        }
        Assert.That(loaded.Normalization.Mean, Is.EqualTo(model.Normalization.Mean));
        Assert.That(loaded.Normalization.Std, Is.EqualTo(model.Normalization.Std));

        var data = image ? SyntheticPointMass.Images(1, 8, seed: 9, side: 16) : SyntheticPointMass.States(1, 8, seed: 9);
        var z0 = model.Encode(data.Observations, 9);
        var z1 = loaded.Encode(data.Observations, 9);
        Assert.That(z1, Is.EqualTo(z0));
        var next0 = new float[8 * model.LatentDim];
        var next1 = new float[8 * model.LatentDim];
        model.Predict(z0.AsSpan(0, 8 * model.LatentDim), data.Actions, 8, next0);
        loaded.Predict(z0.AsSpan(0, 8 * model.LatentDim), data.Actions, 8, next1);
        Assert.That(next1, Is.EqualTo(next0));
    }

    [Test]
    public void ManagedReadersGetTheSameMlpWeightsWithoutTorch()
    {
        s_model!.Save(_dir);
        var checkpoint = WorldModelCheckpoint.Load(_dir);
        var predictor = checkpoint.PredictorMlp();
        var expected = s_model.PredictorWeights();
        Assert.That(predictor.Activation, Is.EqualTo(expected.Activation));
        Assert.That(predictor.Layers, Has.Count.EqualTo(expected.Layers.Count));
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            Assert.That(predictor.Layers[i].Weight, Is.EqualTo(expected.Layers[i].Weight));
            Assert.That(predictor.Layers[i].Bias, Is.EqualTo(expected.Layers[i].Bias));
        }
        var encoder = WorldModelCheckpoint.ReadMlp(_dir, WorldModelCheckpoint.EncoderPrefix);
        Assert.That(encoder.InputDim, Is.EqualTo(4));
        Assert.That(encoder.OutputDim, Is.EqualTo(6));

        s_imageModel!.Save(_dir);
        var ex = Assert.Throws<InvalidOperationException>(() => WorldModelCheckpoint.Load(_dir).EncoderMlp());
        Assert.That(ex!.Message, Does.Contain("Conv").And.Contain("Torch"));
    }

    [Test]
    public void CoreOnlyReaderReproducesTorchEncodingAndPrediction()
    {
        // What a process without libtorch does: read the checkpoint with Core, normalise, run the MLPs by hand.
        s_model!.Save(_dir);
        var checkpoint = WorldModelCheckpoint.Load(_dir);
        var encoder = checkpoint.EncoderMlp();
        var predictor = checkpoint.PredictorMlp();
        Assert.That(encoder.Activation, Is.EqualTo(Planner.Models.Activation.Relu), "Forward below implements ReLU");
        var data = SyntheticPointMass.States(1, 6, seed: 11);
        var normalized = new float[data.Observations.Length];
        checkpoint.Metadata.Normalization.Apply(data.Observations, normalized, 4);
        var torchLatents = s_model.Encode(data.Observations, 7);
        var torchNext = new float[6 * 6];
        s_model.Predict(torchLatents.AsSpan(0, 36), data.Actions, 6, torchNext);
        for (int t = 0; t < 6; t++)
        {
            float[] z = Forward(encoder, normalized.AsSpan(t * 4, 4));
            Assert.That(z, Is.EqualTo(torchLatents.AsSpan(t * 6, 6).ToArray()).Within(1e-5f));
            float[] delta = Forward(predictor, [.. z, .. data.Action(0, t)]);
            for (int i = 0; i < 6; i++) Assert.That(z[i] + delta[i], Is.EqualTo(torchNext[t * 6 + i]).Within(1e-5f));
        }
    }

    private static float[] Forward(Planner.Models.MlpWeights mlp, ReadOnlySpan<float> input)
    {
        float[] x = input.ToArray();
        for (int l = 0; l < mlp.Layers.Count; l++)
        {
            var layer = mlp.Layers[l];
            var y = new float[layer.Out];
            for (int o = 0; o < layer.Out; o++)
            {
                double sum = layer.Bias[o];
                for (int i = 0; i < layer.In; i++) sum += layer.Weight[o * layer.In + i] * x[i];
                y[o] = l < mlp.Layers.Count - 1 ? Math.Max(0, (float)sum) : (float)sum;
            }
            x = y;
        }
        return x;
    }

    [Test]
    public void WeightsFileIsStandardSafetensors()
    {
        s_model!.Save(_dir);
        // Read it the way the 10-line NumPy snippet does: u64 header length, JSON header, raw little-endian float32 data.
        byte[] bytes = File.ReadAllBytes(WeightsPath);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That((8 + n) % 8, Is.Zero, "data aligned to 8 bytes");
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' '));
        var w = header.RootElement.GetProperty("predictor.layers.0.weight");
        Assert.That(w.GetProperty("dtype").GetString(), Is.EqualTo("F32"));
        Assert.That(w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 16, 8 }));
        long begin = w.GetProperty("data_offsets")[0].GetInt64();
        float first = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + n + begin)));
        Assert.That(first, Is.EqualTo(s_model.PredictorWeights().Layers[0].Weight[0]));

        var json = JsonNode.Parse(File.ReadAllText(JsonPath))!;
        Assert.That((string?)json["format"], Is.EqualTo("planner-world-model"));
        Assert.That((int?)json["formatVersion"], Is.EqualTo(1));
        Assert.That((string?)json["encoder"]!["kind"], Is.EqualTo("mlp"));
        Assert.That((string?)json["weightsSha256"], Has.Length.EqualTo(64));
        Assert.That(json["training"]!["summary"]!["epochs"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void TruncatedWeightsFileIsReportedAsTruncated()
    {
        s_model!.Save(_dir);
        byte[] bytes = File.ReadAllBytes(WeightsPath);
        File.WriteAllBytes(WeightsPath, bytes[..(bytes.Length - 10)]);
        var e = Assert.Throws<CheckpointException>(() => TrainedWorldModel.Load(_dir));
        Assert.That(e!.Message, Does.Contain("truncated").And.Contain("model.safetensors"));

        File.WriteAllBytes(WeightsPath, bytes[..5]);
        e = Assert.Throws<CheckpointException>(() => TrainedWorldModel.Load(_dir));
        Assert.That(e!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void FlippedByteIsAChecksumError()
    {
        s_model!.Save(_dir);
        byte[] bytes = File.ReadAllBytes(WeightsPath);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(WeightsPath, bytes);
        var e = Assert.Throws<CheckpointException>(() => TrainedWorldModel.Load(_dir));
        Assert.That(e!.Message, Does.Contain("SHA-256").And.Contain("corrupted"));
    }

    [Test]
    public void WrongShapeInMetadataNamesTheTensorAndBothShapes()
    {
        s_model!.Save(_dir);
        var json = JsonNode.Parse(File.ReadAllText(JsonPath))!;
        json["encoder"]!["mlp"]!["layerSizes"] = new JsonArray(4, 20, 6); // the weights have a hidden layer of 16
        File.WriteAllText(JsonPath, json.ToJsonString());
        var e = Assert.Throws<CheckpointException>(() => TrainedWorldModel.Load(_dir));
        Assert.That(e!.Message, Does.Contain("encoder.layers.0.weight").And.Contain("[16, 4]").And.Contain("[20, 4]"));
    }

    [Test]
    public void DimensionsThatDisagreeWithTheArchitectureAreExplained()
    {
        s_model!.Save(_dir);
        var json = JsonNode.Parse(File.ReadAllText(JsonPath))!;
        json["latentDim"] = 7;
        File.WriteAllText(JsonPath, json.ToJsonString());
        var e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        Assert.That(e!.Message, Does.Contain("encoder's output size is 6").And.Contain("latentDim = 7"));
    }

    [Test]
    public void MissingTensorAndMissingFilesAreNamed()
    {
        s_model!.Save(_dir);
        var tensors = s_model.ToTensors().Where(t => t.Name != "predictor.layers.1.bias").ToList();
        byte[] weights = SafeTensors.Serialize(tensors);
        File.WriteAllBytes(WeightsPath, weights);
        var json = JsonNode.Parse(File.ReadAllText(JsonPath))!;
        json["weightsSha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights));
        File.WriteAllText(JsonPath, json.ToJsonString());
        var e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        Assert.That(e!.Message, Does.Contain("predictor.layers.1.bias").And.Contain("missing"));

        File.Delete(WeightsPath);
        e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        Assert.That(e!.Message, Does.Contain("model.safetensors").And.Contain("missing"));
        File.Delete(JsonPath);
        e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        Assert.That(e!.Message, Does.Contain("model.json").And.Contain("missing"));
        e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(Path.Combine(_dir, "nope")));
        Assert.That(e!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void MalformedMetadataIsACheckpointError()
    {
        s_model!.Save(_dir);
        File.WriteAllText(JsonPath, "{ \"format\": \"planner-world-model\", ");
        Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        var json = JsonNode.Parse("{}")!;
        File.WriteAllText(JsonPath, json.ToJsonString());
        var e = Assert.Throws<CheckpointException>(() => WorldModelCheckpoint.Load(_dir));
        Assert.That(e!.Message, Does.Contain("model.json"));
    }

    [Test]
    public void SavingOverAnExistingCheckpointReplacesIt()
    {
        s_model!.Save(_dir);
        s_imageModel!.Save(_dir);
        using var loaded = TrainedWorldModel.Load(_dir);
        Assert.That(loaded.ObservationDim, Is.EqualTo(256));
    }
}
