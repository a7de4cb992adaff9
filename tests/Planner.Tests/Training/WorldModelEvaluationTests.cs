using Planner.Checkpoints;
using Planner.Models;
using Planner.Numerics;
using Planner.Torch.Models;
using Planner.Torch.Training;

namespace Planner.Tests.Training;

public class WorldModelEvaluationTests
{
    [Test]
    public void LinearProbeRecoversAnExactLinearMap()
    {
        var rng = new DeterministicRandom(5);
        int rows = 200, x = 3, y = 2;
        var inputs = new float[rows * x];
        var outputs = new float[rows * y];
        rng.FillGaussian(inputs);
        for (int r = 0; r < rows; r++)
        {
            outputs[r * 2] = 2 * inputs[r * 3] - inputs[r * 3 + 2] + 0.5f;
            outputs[r * 2 + 1] = -3 * inputs[r * 3 + 1] + 1f;
        }
        var probe = LinearProbe.Fit(inputs.AsSpan(0, 100 * x), x, outputs.AsSpan(0, 100 * y), y);
        var (pooled, per) = probe.RSquared(inputs.AsSpan(100 * x), outputs.AsSpan(100 * y));
        Assert.That(pooled, Is.EqualTo(1).Within(1e-6));
        Assert.That(per, Has.All.EqualTo(1).Within(1e-6));
        var predicted = new float[2];
        probe.Predict([1, 0, 0], predicted);
        Assert.That(predicted[0], Is.EqualTo(2.5f).Within(1e-4));
        Assert.That(predicted[1], Is.EqualTo(1f).Within(1e-4));
    }

    [Test]
    public void ProbeOnUnrelatedInputsHasNoSkill()
    {
        var rng = new DeterministicRandom(6);
        var inputs = new float[2000 * 2];
        var outputs = new float[2000];
        rng.FillGaussian(inputs);
        rng.FillGaussian(outputs);
        var probe = LinearProbe.Fit(inputs.AsSpan(0, 2000), 2, outputs.AsSpan(0, 1000), 1);
        Assert.That(probe.RSquared(inputs.AsSpan(2000), outputs.AsSpan(1000)).Pooled, Is.LessThan(0.02));
    }

    [Test]
    public void APredictorThatNeverMovesScoresExactlyTheBaseline()
    {
        // Encoder: identity-like MLP on the 4 state values; predictor with a zero last layer: z' = z.
        var data = SyntheticPointMass.States(6, 20, seed: 3);
        var encoderWeights = MlpWeights.Random([4, 4], Activation.Relu, 1);
        var predictorWeights = MlpWeights.Random([6, 8, 4], Activation.Relu, 2);
        Array.Clear(predictorWeights.Layers[1].Weight);
        var metadata = new WorldModelMetadata
        {
            ObservationDim = 4, ActionDim = 2, LatentDim = 4,
            Encoder = new EncoderSpec(EncoderKind.Mlp, Mlp: MlpSpec.Of(encoderWeights)),
            Predictor = MlpSpec.Of(predictorWeights),
            Normalization = new ObservationNormalization([0f], [1f]),
        };
        var encoder = new TorchEncoder(metadata.Encoder, 0);
        encoder.LoadTensors("encoder", WorldModelCheckpoint.MlpTensors("encoder", encoderWeights).ToDictionary(t => t.Name));
        using var model = new TrainedWorldModel(metadata, encoder, new ResidualMlpDynamics(4, 2, predictorWeights));

        var report = WorldModelEvaluation.Evaluate(model, data, new EvaluationOptions { Horizons = [1, 5, 20] });
        Assert.That(report.Prediction.Select(p => p.Horizon), Is.EqualTo(new[] { 1, 5, 20 }));
        Assert.That(report.Prediction.Select(p => p.Starts), Is.EqualTo(new long[] { 6 * 20, 6 * 16, 6 }));
        foreach (var p in report.Prediction)
        {
            Assert.That(p.BaselineError, Is.GreaterThan(0));
            Assert.That(p.Ratio, Is.EqualTo(1).Within(1e-6));
        }
        Assert.That(report.EmbeddingStd, Has.Length.EqualTo(4));
        Assert.That(report.ProbeFitEpisodes, Is.EqualTo(3));
        Assert.That(report.ProbeR2PerDimension, Has.Length.EqualTo(2));

        // An open-loop rollout of a model that never moves decodes to the start position at every step.
        var xy = WorldModelEvaluation.OpenLoopPositions(model, data, report.Probe!, episode: 4, start: 3, steps: 5);
        Assert.That(xy, Has.Length.EqualTo(12));
        for (int i = 1; i <= 5; i++)
        {
            Assert.That(xy[i * 2], Is.EqualTo(xy[0]));
            Assert.That(xy[i * 2 + 1], Is.EqualTo(xy[1]));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => WorldModelEvaluation.OpenLoopPositions(model, data, report.Probe!, 4, 10, 11));
    }

    [Test]
    public void HorizonLongerThanTheEpisodesIsRejected()
    {
        var data = SyntheticPointMass.States(2, 8, seed: 3);
        using var model = JepaTrainer.Train(data, new JepaOptions { LatentDim = 4, EncoderHidden = [8], PredictorHidden = [8], PredictionSteps = 2, ChunkSteps = 4, Epochs = 1 });
        var e = Assert.Throws<ArgumentException>(() => WorldModelEvaluation.Evaluate(model, data, new EvaluationOptions { Horizons = [16] }));
        Assert.That(e!.Message, Does.Contain("horizon 16"));
    }

    [Test]
    public void ProgressBarRewritesOneLineOnATerminalAndPrintsEpochLinesOtherwise()
    {
        var terms = new LossTerms(0.5, 0.1, 0.2, 0);
        var batch = new TrainingProgress(1, 2, 1, 4, 0.8, terms, double.NaN, double.NaN, TimeSpan.FromSeconds(3), false);
        var epoch = batch with { Batch = 4, ValidationError = 0.25, BestValidationError = 0.25, EpochDone = true };
        var last = epoch with { Epoch = 2 };

        var done = last with { Finished = true };

        var tty = new StringWriter();
        var bar = new TrainingProgressBar(tty, interactive: true);
        bar.Report(batch);
        bar.Report(epoch);
        bar.Report(last);
        Assert.That(tty.ToString().Count(c => c == '\r'), Is.EqualTo(3));
        Assert.That(tty.ToString(), Does.Contain("epoch    2/2").And.Contain("val 0.2500"));
        Assert.That(tty.ToString(), Does.Not.Contain(Environment.NewLine), "one line, rewritten in place");
        bar.Report(done);
        var ttyLines = tty.ToString().Split(Environment.NewLine);
        Assert.That(ttyLines, Has.Length.EqualTo(3));
        Assert.That(ttyLines[1], Does.StartWith("training done: 2 epochs"));

        var plain = new StringWriter();
        var log = new TrainingProgressBar(plain, interactive: false);
        log.Report(batch);
        log.Report(epoch);
        log.Report(done);
        Assert.That(plain.ToString(), Does.Not.Contain("\r"));
        var lines = plain.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.StartWith("epoch    1/2"));
    }
}
