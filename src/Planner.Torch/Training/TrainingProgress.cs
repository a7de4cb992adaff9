namespace Planner.Torch.Training;

/// <summary>
/// A training progress report: sent after every batch (<see cref="EpochDone"/> false), after each epoch's validation
/// (<see cref="EpochDone"/> true), and once when training ends (<see cref="Finished"/> true).
/// </summary>
/// <param name="Epoch">Epoch, 1-based.</param>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean total training loss of this epoch so far.</param>
/// <param name="Terms">Mean of each loss term this epoch so far.</param>
/// <param name="ValidationError">k-step latent prediction error / no-change baseline on validation episodes (NaN before the first validation).</param>
/// <param name="BestValidationError">Best validation error so far (NaN before the first validation).</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="EpochDone">Whether this report ends an epoch.</param>
/// <param name="Finished">Whether training has ended (the last report; <see cref="Epoch"/> is the last epoch run).</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, LossTerms Terms,
    double ValidationError, double BestValidationError, TimeSpan Elapsed, bool EpochDone, bool Finished = false);

/// <summary>The terms of the training loss (unweighted).</summary>
/// <param name="Prediction">Multi-step latent prediction MSE.</param>
/// <param name="Variance">VICReg variance hinge.</param>
/// <param name="Covariance">VICReg covariance.</param>
/// <param name="InverseDynamics">Inverse-dynamics MSE (0 without the head).</param>
public readonly record struct LossTerms(double Prediction, double Variance, double Covariance, double InverseDynamics)
{
    /// <summary>Element-wise sum.</summary>
    public static LossTerms operator +(LossTerms a, LossTerms b) =>
        new(a.Prediction + b.Prediction, a.Variance + b.Variance, a.Covariance + b.Covariance, a.InverseDynamics + b.InverseDynamics);

    /// <summary>Element-wise division.</summary>
    public static LossTerms operator /(LossTerms a, double d) =>
        new(a.Prediction / d, a.Variance / d, a.Covariance / d, a.InverseDynamics / d);
}
