using Planner.Control;
using Planner.Costs;
using Planner.Managed;
using Planner.Planning;
using Planner.Tests.Support;
using Planner.Torch.Training;

namespace Planner.Tests.Managed;

/// <summary>A model trained with TorchSharp (the shipped demo checkpoint) runs on the managed backend with the same numbers.</summary>
public class ManagedWorldModelTests
{
    private static string DemoModel => RepositoryFiles.Path("models", "demo");

    [Test]
    public void CoreDoesNotReferenceTorchSharp()
    {
        var references = typeof(ManagedWorldModel).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.That(references, Has.None.StartsWith("TorchSharp"));
    }

    [Test]
    public void EncoderAndPredictorMatchTheTorchModel()
    {
        var managed = ManagedWorldModel.Load(DemoModel);
        using var torch = TrainedWorldModel.Load(DemoModel);
        const int rows = 7;
        var obs = Fixtures.Gaussian(rows * torch.ObservationDim, 1, 0.5f);
        var zManaged = new float[rows * torch.LatentDim];
        managed.Encoder.Encode(obs, zManaged, rows);
        var zTorch = torch.Encode(obs, rows);
        float scale = zTorch.Max(MathF.Abs);
        Assert.That(zManaged, Is.EqualTo(zTorch).Within(1e-4f * scale));

        var actions = Fixtures.Gaussian(rows * torch.ActionDim, 2, 0.5f);
        var nextManaged = new float[zTorch.Length];
        var nextTorch = new float[zTorch.Length];
        managed.Predictor.Forward(zTorch, actions, nextManaged, default, rows);
        torch.Predict(zTorch, actions, rows, nextTorch);
        Assert.That(nextManaged, Is.EqualTo(nextTorch).Within(1e-4f * nextTorch.Max(MathF.Abs)));
    }

    [Test]
    public void ReadmeExamplePlansWithTheShippedModel()
    {
        // The README's "Plan from C#" example, verbatim apart from the model path and the observation buffers.
        var model = ManagedWorldModel.Load(DemoModel);
        var cost = new CostFunction(
            new GoalDistanceCost(DistanceKind.L2, stepWeight: 0.1f, terminalWeight: 1f),
            new ActionMagnitudeCost(1e-3f),
            new KeepOutCost(center: [0.5f, 0.5f], radius: 0.3f, weight: 10f));
        using var evaluator = new ManagedRolloutEvaluator(model.Predictor, cost, threads: 1);
        var planner = new GradientPlanner(evaluator, new PlanningOptions
        {
            Horizon = 24, Candidates = 16, Iterations = 20,
            Bounds = ActionBounds.Uniform(2, -1, 1),
            Deadline = TimeSpan.FromMilliseconds(5),
        }, batch: 1);
        using var controller = new RecedingHorizonController(model.Encoder, planner);

        float[] goalObservation = [0.8f, 0.5f, 0f, 0f], observation = [0.2f, 0.5f, 0f, 0f];
        var action = new float[2];
        controller.SetGoalObservations(goalObservation);
        var status = controller.Act(observation, action);
        Assert.That(status.Replanned, Is.True);
        Assert.That(action.All(a => a is >= -1 and <= 1), Is.True);
    }

    [Test]
    public void PlanningWithTheShippedModelHeadsForTheGoal()
    {
        var model = ManagedWorldModel.Load(DemoModel);
        using var evaluator = new ManagedRolloutEvaluator(model.Predictor, new CostFunction(new GoalDistanceCost(DistanceKind.L2, 0.1f, 1f)));
        var planner = new GradientPlanner(evaluator, new PlanningOptions { Horizon = 16, Candidates = 8, Iterations = 30, Bounds = ActionBounds.Uniform(2, -1, 1) }, 2);
        using var controller = new RecedingHorizonController(model.Encoder, planner);
        // Two robots in the left room of two-rooms (normalised positions), one goal to the right, one above.
        controller.SetGoalObservations([0.4f, 0.5f, 0f, 0f, 0.2f, 0.25f, 0f, 0f]);
        var action = new float[4];
        controller.Act([0.2f, 0.5f, 0f, 0f, 0.2f, 0.6f, 0f, 0f], action);
        Assert.That(action[0], Is.GreaterThan(0.3f), "robot 0: the goal is to the right (+x)");
        Assert.That(action[3], Is.LessThan(-0.3f), "robot 1: the goal is above (-y, row 0 at the top)");
    }
}
