namespace Planner.Tests;

public class SmokeTests
{
    [Test]
    public void TorchLoadsAndTrains()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var x = TorchSharp.torch.ones(3, 4, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.That(x.grad!.sum().item<float>(), Is.EqualTo(24f).Within(1e-5));
    }
}
