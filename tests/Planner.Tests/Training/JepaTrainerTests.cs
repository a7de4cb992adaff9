using Planner.Checkpoints;
using Planner.Torch.Training;

namespace Planner.Tests.Training;

public class JepaTrainerTests
{
    private static JepaOptions Small(int seed = 0) => new()
    {
        LatentDim = 8,
        EncoderHidden = [32],
        PredictorHidden = [32],
        PredictionSteps = 4,
        ChunkSteps = 8,
        BatchSize = 16,
        Epochs = 12,
        Patience = 0,
        LearningRate = 3e-3,
        Seed = seed,
        Threads = 1,
    };

    [Test]
    public void ShortRunLowersTheLossAndKeepsEveryDimensionAlive()
    {
        var data = SyntheticPointMass.States(40, 32, seed: 1);
        var epochs = new List<TrainingProgress>();
        using var model = JepaTrainer.Train(data, Small(), new Progress(epochs));

        Assert.That(epochs, Has.Count.EqualTo(12));
        Assert.That(epochs[^1].Loss, Is.LessThan(0.7 * epochs[0].Loss), "training loss should fall");
        var report = WorldModelEvaluation.Evaluate(model, SyntheticPointMass.States(20, 32, seed: 2), new EvaluationOptions { Horizons = [1, 4] });
        TestContext.Out.WriteLine(report);
        TestContext.Out.WriteLine(TrainingProgressBar.Format(epochs[0]));
        TestContext.Out.WriteLine(TrainingProgressBar.Format(epochs[^1]));
        Assert.That(report.CollapsedDimensions, Is.Zero, report.ToString());
        Assert.That(report.EmbeddingStd, Has.All.GreaterThan(0.1f), report.ToString());
        Assert.That(report.Prediction[1].Ratio, Is.LessThan(0.5), "4-step prediction should beat 'nothing moves' clearly: " + report);
        Assert.That(report.ProbeR2, Is.GreaterThan(0.8), report.ToString());
    }

    [Test]
    public void SameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        var data = SyntheticPointMass.States(12, 16, seed: 3);
        var options = Small(seed: 7) with { Epochs = 2 };
        using var a = JepaTrainer.Train(data, options);
        using var b = JepaTrainer.Train(data, options);
        using var c = JepaTrainer.Train(data, options with { Seed = 8 });
        var ta = a.ToTensors();
        var tb = b.ToTensors();
        var tc = c.ToTensors();
        Assert.That(tb, Has.Count.EqualTo(ta.Count));
        for (int i = 0; i < ta.Count; i++)
            Assert.That(tb[i].Data, Is.EqualTo(ta[i].Data), ta[i].Name);
        Assert.That(tc[0].Data, Is.Not.EqualTo(ta[0].Data));
        Assert.That(a.Summary!.BestValidationError, Is.EqualTo(b.Summary!.BestValidationError));
    }

    [Test]
    public void EmaTargetAndInverseDynamicsHeadTrainToo()
    {
        var data = SyntheticPointMass.States(16, 16, seed: 4);
        var options = Small() with { Epochs = 3, Target = TargetEncoderMode.Ema, InverseDynamicsWeight = 0.5 };
        var epochs = new List<TrainingProgress>();
        using var model = JepaTrainer.Train(data, options, new Progress(epochs));
        Assert.That(model.InverseDynamics, Is.Not.Null);
        Assert.That(model.Metadata.InverseDynamics!.LayerSizes, Is.EqualTo(new[] { 16, 64, 2 }));
        Assert.That(epochs[^1].Terms.InverseDynamics, Is.GreaterThan(0).And.LessThan(epochs[0].Terms.InverseDynamics));
        Assert.That(double.IsFinite(model.Summary!.BestValidationError));
    }

    [Test]
    public void ImagesGetTheCnnEncoderAndTrain()
    {
        var data = SyntheticPointMass.Images(12, 16, seed: 5, side: 16);
        var options = Small() with { Epochs = 3, ConvChannels = [8, 8], ConvHeadHidden = [32] };
        var epochs = new List<TrainingProgress>();
        using var model = JepaTrainer.Train(data, options, new Progress(epochs));
        Assert.That(model.Metadata.Encoder.Kind, Is.EqualTo(EncoderKind.Conv));
        Assert.That(model.Metadata.Encoder.Conv!.Head.LayerSizes, Is.EqualTo(new[] { 8 * 4 * 4, 32, 8 }));
        Assert.That(model.Normalization.Mean, Has.Length.EqualTo(256), "images: a mean per pixel (removes the static background)");
        Assert.That(model.Normalization.Std, Has.Length.EqualTo(1), "images: one shared std");
        Assert.That(epochs[^1].Loss, Is.LessThan(epochs[0].Loss));
        var latents = model.Encode(data.Observations.AsSpan(0, 3 * 256), 3);
        Assert.That(latents, Has.All.Matches<float>(float.IsFinite));
    }

    [Test]
    public void EarlyStoppingKeepsTheBestEpoch()
    {
        var data = SyntheticPointMass.States(12, 16, seed: 6);
        var epochs = new List<TrainingProgress>();
        using var model = JepaTrainer.Train(data, Small() with { Epochs = 40, Patience = 2, LearningRate = 5e-2 }, new Progress(epochs));
        var s = model.Summary!;
        Assert.That(s.BestValidationError, Is.EqualTo(epochs.Min(p => p.ValidationError)));
        Assert.That(epochs[s.BestEpoch - 1].ValidationError, Is.EqualTo(s.BestValidationError));
        if (s.StopReason == "early stopping") Assert.That(s.Epochs, Is.EqualTo(s.BestEpoch + 2));
        else Assert.That(s.Epochs, Is.EqualTo(40));
    }

    [Test]
    public void SplitIsByEpisodeDisjointAndSeeded()
    {
        var (train, val) = JepaTrainer.SplitEpisodes(50, 0.2, seed: 3);
        Assert.That(val, Has.Length.EqualTo(10));
        Assert.That(train.Concat(val).OrderBy(i => i), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(JepaTrainer.SplitEpisodes(50, 0.2, seed: 3).Validation, Is.EqualTo(val));
        Assert.That(JepaTrainer.SplitEpisodes(50, 0.2, seed: 4).Validation, Is.Not.EqualTo(val));
        Assert.That(JepaTrainer.SplitEpisodes(1, 0.2, seed: 0).Validation, Is.Empty);
    }

    [Test]
    public void BadOptionsNameTheOption()
    {
        var data = SyntheticPointMass.States(4, 8, seed: 0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => JepaTrainer.Train(data, new JepaOptions { PredictionSteps = 8, ChunkSteps = 4 }));
        Assert.That(e!.ParamName, Is.EqualTo("ChunkSteps"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => JepaTrainer.Train(data, new JepaOptions { LearningRate = -1 }));
        Assert.That(e2!.ParamName, Is.EqualTo("LearningRate"));
        Assert.Throws<ArgumentException>(() => JepaTrainer.Train(data, new JepaOptions { Encoder = EncoderKind.Conv }));
    }

    private sealed class Progress(List<TrainingProgress> epochs) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochDone && !value.Finished) epochs.Add(value);
        }
    }
}
