using Planner.Torch.Models;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// Training windows the data never held: a window's start latent with the action chunks of another window, the
/// latents after each chunk rolled out by the frozen level-0 predictor (see <see cref="MacroLevelOptions.ImaginedFraction"/>).
/// </summary>
internal static class ImaginedWindows
{
    /// <summary>
    /// Replaces the first round(B x <paramref name="fraction"/>) windows of a batch (latents <c>[B x (K+1) x S]</c>,
    /// chunks <c>[B x K x tau*A]</c>) by imagined ones: their chunks are those of randomly chosen windows of the batch
    /// (torch's generator, so reproducible for a seed), their latents level 0's open-loop rollout from their own start.
    /// </summary>
    public static (Tensor Latents, Tensor Chunks) Mix(ResidualMlpDynamics level0, Tensor latents, Tensor chunks, double fraction)
    {
        long b = latents.shape[0], k = chunks.shape[1];
        long n = (long)Math.Round(b * fraction);
        if (n == 0) return (latents, chunks);
        int a = level0.ActionDim;
        long tau = chunks.shape[2] / a;
        using var _ = no_grad();
        var donors = randperm(b, device: chunks.device).narrow(0, 0, n);
        var moved = chunks.index_select(0, donors);
        var z = latents.narrow(0, 0, n).select(1, 0);
        var rolled = new Tensor[k + 1];
        rolled[0] = z;
        for (long j = 0; j < k; j++)
        {
            var chunk = moved.select(1, j);
            for (long i = 0; i < tau; i++) z = level0.Step(z, chunk.narrow(1, i * a, a));
            rolled[j + 1] = z;
        }
        var imagined = stack(rolled, 1);
        if (n == b) return (imagined, moved);
        return (cat([imagined, latents.narrow(0, n, b - n)], 0), cat([moved, chunks.narrow(0, n, b - n)], 0));
    }
}
