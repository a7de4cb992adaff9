namespace Planner.Torch.Training;

/// <summary>
/// Least-squares linear probe <c>y = W x + b</c> (normal equations in double precision with a tiny ridge for
/// conditioning), and the coefficient of determination R^2 on other data.
/// </summary>
public sealed class LinearProbe
{
    private readonly double[] _coefficients; // [(X+1) x Y], last row = bias

    private LinearProbe(int inputDim, int outputDim, double[] coefficients)
    {
        InputDim = inputDim;
        OutputDim = outputDim;
        _coefficients = coefficients;
    }

    /// <summary>Input size X.</summary>
    public int InputDim { get; }

    /// <summary>Output size Y.</summary>
    public int OutputDim { get; }

    /// <summary>Fits <paramref name="outputs"/> <c>[rows x Y]</c> from <paramref name="inputs"/> <c>[rows x X]</c>.</summary>
    public static LinearProbe Fit(ReadOnlySpan<float> inputs, int inputDim, ReadOnlySpan<float> outputs, int outputDim)
    {
        Guard.AtLeast(inputDim, 1, nameof(inputDim));
        Guard.AtLeast(outputDim, 1, nameof(outputDim));
        int rows = inputs.Length / inputDim;
        Guard.AtLeast(rows, 1, "rows");
        Guard.Length(inputs.Length, rows * inputDim, nameof(inputs), $"[rows x X={inputDim}]");
        Guard.Length(outputs.Length, rows * outputDim, nameof(outputs), $"[rows={rows} x Y={outputDim}]");
        int n = inputDim + 1;
        var gram = new double[n * n];
        var rhs = new double[n * outputDim];
        var x = new double[n];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputDim; i++) x[i] = inputs[r * inputDim + i];
            x[inputDim] = 1;
            for (int i = 0; i < n; i++)
            {
                double xi = x[i];
                for (int j = 0; j <= i; j++) gram[i * n + j] += xi * x[j];
                for (int o = 0; o < outputDim; o++) rhs[i * outputDim + o] += xi * outputs[r * outputDim + o];
            }
        }
        double trace = 0;
        for (int i = 0; i < n; i++) trace += gram[i * n + i];
        double ridge = 1e-9 * trace / n + 1e-12;
        for (int i = 0; i < n; i++)
        {
            gram[i * n + i] += ridge;
            for (int j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j];
        }
        CholeskySolve(gram, rhs, n, outputDim);
        return new LinearProbe(inputDim, outputDim, rhs);
    }

    /// <summary>Predicts <c>[rows x Y]</c> from <c>[rows x X]</c>.</summary>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int rows = inputs.Length / InputDim;
        Guard.Length(inputs.Length, rows * InputDim, nameof(inputs), $"[rows x X={InputDim}]");
        Guard.Length(outputs.Length, rows * OutputDim, nameof(outputs), $"[rows={rows} x Y={OutputDim}]");
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < OutputDim; o++)
            {
                double sum = _coefficients[InputDim * OutputDim + o];
                for (int i = 0; i < InputDim; i++) sum += inputs[r * InputDim + i] * _coefficients[i * OutputDim + o];
                outputs[r * OutputDim + o] = (float)sum;
            }
        }
    }

    /// <summary>
    /// R^2 of the probe on (<paramref name="inputs"/>, <paramref name="targets"/>): pooled
    /// <c>1 - sum residual^2 / sum (y - mean y)^2</c> over all outputs, and per output.
    /// </summary>
    public (double Pooled, double[] PerOutput) RSquared(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        int rows = inputs.Length / InputDim;
        var predicted = new float[rows * OutputDim];
        Predict(inputs, predicted);
        Guard.Length(targets.Length, predicted.Length, nameof(targets), $"[rows={rows} x Y={OutputDim}]");
        var mean = new double[OutputDim];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < OutputDim; o++) mean[o] += targets[r * OutputDim + o];
        for (int o = 0; o < OutputDim; o++) mean[o] /= Math.Max(1, rows);
        var residual = new double[OutputDim];
        var total = new double[OutputDim];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < OutputDim; o++)
            {
                double y = targets[r * OutputDim + o];
                residual[o] += (y - predicted[r * OutputDim + o]) * (y - predicted[r * OutputDim + o]);
                total[o] += (y - mean[o]) * (y - mean[o]);
            }
        }
        var per = new double[OutputDim];
        double res = 0, tot = 0;
        for (int o = 0; o < OutputDim; o++)
        {
            per[o] = total[o] > 0 ? 1 - residual[o] / total[o] : double.NaN;
            res += residual[o];
            tot += total[o];
        }
        return (tot > 0 ? 1 - res / tot : double.NaN, per);
    }

    // Solves A X = B in place (B becomes X) for symmetric positive-definite A [n x n], B [n x m].
    private static void CholeskySolve(double[] a, double[] b, int n, int m)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) throw new InvalidOperationException("the probe's normal equations are not positive definite (constant or duplicated inputs).");
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / d;
            }
        }
        for (int c = 0; c < m; c++)
        {
            for (int i = 0; i < n; i++) // L y = b
            {
                double s = b[i * m + c];
                for (int k = 0; k < i; k++) s -= a[i * n + k] * b[k * m + c];
                b[i * m + c] = s / a[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--) // L^T x = y
            {
                double s = b[i * m + c];
                for (int k = i + 1; k < n; k++) s -= a[k * n + i] * b[k * m + c];
                b[i * m + c] = s / a[i * n + i];
            }
        }
    }
}
