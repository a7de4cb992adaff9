using Planner.Torch.Models;

namespace Planner.Torch.Training;

/// <summary>
/// The JEPA objective on a batch of chunks: embed every frame once, roll the predictor k steps from every start with the
/// real actions, compare with the target embeddings; VICReg variance and covariance on the online embeddings; optional
/// inverse dynamics.
/// </summary>
internal static class JepaLoss
{
    /// <summary>Embeddings <c>[B x (L+1) x Z]</c> of normalised observations <c>[B x (L+1) x O]</c>.</summary>
    public static Tensor Embed(TorchEncoder encoder, Tensor observations)
    {
        long b = observations.shape[0], l1 = observations.shape[1];
        return encoder.call(observations.reshape(b * l1, -1)).reshape(b, l1, -1);
    }

    /// <summary>
    /// Mean over steps i = 1..k of the MSE between the i-step prediction from every start and the target embedding
    /// i steps later. <paramref name="z"/> <c>[B x (L+1) x Z]</c> are the context embeddings, <paramref name="targets"/>
    /// the same shape, <paramref name="actions"/> <c>[B x L x A]</c>. With <paramref name="withBaseline"/>, also returns the
    /// no-change baseline error summed over steps (for validation ratios).
    /// </summary>
    public static Tensor Prediction(ResidualMlpDynamics predictor, Tensor z, Tensor targets, Tensor actions, int steps, bool withBaseline, out Tensor? baseline, out Tensor perStepSum)
    {
        long b = z.shape[0], l = actions.shape[1], dim = z.shape[2], a = actions.shape[2];
        var pred = z.narrow(1, 0, l); // predictions of z_{t+0} for starts t = 0..L-1
        Tensor? sum = null, baseSum = null;
        var zDetached = targets.detach();
        for (int i = 1; i <= steps; i++)
        {
            long starts = l - i + 1;
            var act = actions.narrow(1, i - 1, starts);
            pred = predictor.call(pred.reshape(b * starts, dim), act.reshape(b * starts, a)).reshape(b, starts, dim);
            var target = targets.narrow(1, i, starts);
            var err = (pred - target).square().mean();
            sum = sum is null ? err : sum + err;
            if (withBaseline)
            {
                var baseErr = (zDetached.narrow(1, 0, starts) - zDetached.narrow(1, i, starts)).square().mean();
                baseSum = baseSum is null ? baseErr : baseSum + baseErr;
            }
            if (i < steps) pred = pred.narrow(1, 0, starts - 1);
        }
        baseline = baseSum;
        perStepSum = sum!;
        return sum! / steps;
    }

    /// <summary>VICReg variance hinge: mean over dimensions of <c>relu(1 - sqrt(var + eps))</c> on rows <c>[N x Z]</c>.</summary>
    public static Tensor Variance(Tensor rows)
    {
        var std = (rows.var(0) + 1e-4).sqrt();
        return nn.functional.relu(1 - std).mean();
    }

    /// <summary>VICReg covariance: sum of squared off-diagonal covariances / Z on rows <c>[N x Z]</c>.</summary>
    public static Tensor Covariance(Tensor rows)
    {
        long n = rows.shape[0], dim = rows.shape[1];
        var centred = rows - rows.mean([0], keepdim: true);
        var cov = centred.t().matmul(centred) / Math.Max(1, n - 1);
        var offDiagonal = cov.square().sum() - cov.diagonal().square().sum();
        return offDiagonal / dim;
    }

    /// <summary>Inverse-dynamics MSE: the head maps <c>[z_t, z_t+1]</c> to <c>a_t</c>.</summary>
    public static Tensor InverseDynamics(TorchMlp head, Tensor z, Tensor actions)
    {
        long b = z.shape[0], l = actions.shape[1], dim = z.shape[2];
        var pairs = cat([z.narrow(1, 0, l), z.narrow(1, 1, l)], 2).reshape(b * l, 2 * dim);
        return (head.call(pairs) - actions.reshape(b * l, -1)).square().mean();
    }
}
