using Planner.Torch.Models;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// The macro level's objective on a batch of windows: encode each chunk of tau base actions into a macro-action, roll
/// the level's predictor K macro steps from the window's first latent, and compare each prediction with the frozen
/// level-0 latent tau, 2 tau, ... base steps later.
/// </summary>
internal static class MacroLoss
{
    /// <summary>
    /// Returns the mean over the K steps (and over the ensemble's predictors, which share the macro-actions) of the prediction MSE; <paramref name="modelPerStep"/> and
    /// <paramref name="baselinePerStep"/> (<c>[K]</c>, detached) are the per-step MSEs of the model and of predicting no
    /// change; <paramref name="preActivation"/> the macro encoder's pre-tanh output <c>[B*K x M]</c>. A positive
    /// <paramref name="noise"/> adds Gaussian noise of that standard deviation to the macro-actions (training only).
    /// </summary>
    public static Tensor Rollout(MacroActionEncoder encoder, IReadOnlyList<ResidualMlpDynamics> predictors, Tensor latents, Tensor chunks,
        out Tensor modelPerStep, out Tensor baselinePerStep, out Tensor preActivation, double noise = 0)
    {
        long b = latents.shape[0], k = chunks.shape[1];
        preActivation = encoder.PreActivation(chunks.reshape(b * k, -1));
        var m = preActivation.tanh().reshape(b, k, -1);
        if (noise > 0) m = m + randn_like(m) * noise;
        var z0 = latents.select(1, 0);
        var model = new Tensor[k];
        var baseline = new Tensor[k];
        for (int j = 0; j < k; j++) baseline[j] = (z0 - latents.select(1, j + 1)).square().mean();
        foreach (var predictor in predictors)
        {
            var pred = z0;
            for (int j = 0; j < k; j++)
            {
                pred = predictor.call(pred, m.select(1, j));
                var error = (pred - latents.select(1, j + 1)).square().mean() / predictors.Count;
                model[j] = model[j] is null ? error : model[j] + error;
            }
        }
        var perStep = stack(model);
        modelPerStep = perStep.detach();
        baselinePerStep = stack(baseline).detach();
        return perStep.mean();
    }
}
