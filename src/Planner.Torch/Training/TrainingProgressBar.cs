using System.Globalization;

namespace Planner.Torch.Training;

/// <summary>
/// Shows <see cref="TrainingProgress"/> on a text writer (default: standard error). On a terminal, one line updated in
/// place with carriage returns; when the output is redirected, one plain line per epoch. Both end with a summary line.
/// </summary>
public sealed class TrainingProgressBar : IProgress<TrainingProgress>
{
    private const int BarWidth = 24;
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private int _lastLength;

    /// <summary>Writes to <paramref name="writer"/> (default <see cref="Console.Error"/>); <paramref name="interactive"/> null detects whether standard error is a terminal.</summary>
    public TrainingProgressBar(TextWriter? writer = null, bool? interactive = null)
    {
        _writer = writer ?? Console.Error;
        _interactive = interactive ?? (writer is null && !Console.IsErrorRedirected);
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Finished)
        {
            Finish();
            _writer.WriteLine(string.Format(CultureInfo.InvariantCulture, "training done: {0} epochs, best validation {1:F4}, {2:mm\\:ss}",
                value.Epoch, value.BestValidationError, value.Elapsed));
            _writer.Flush();
            return;
        }
        string text = Format(value);
        if (_interactive)
        {
            string padded = text.Length < _lastLength ? text.PadRight(_lastLength) : text;
            _writer.Write('\r' + padded);
            _lastLength = text.Length;
            _writer.Flush();
        }
        else if (value.EpochDone)
        {
            _writer.WriteLine(text);
        }
    }

    /// <summary>Ends the in-place line (done automatically by the final report).</summary>
    public void Finish()
    {
        if (_interactive && _lastLength > 0) _writer.WriteLine();
        _lastLength = 0;
    }

    /// <summary>The text of one report.</summary>
    public static string Format(TrainingProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double fraction = p.Batches > 0 ? (double)p.Batch / p.Batches : 1;
        int filled = (int)Math.Round(fraction * BarWidth);
        var inv = CultureInfo.InvariantCulture;
        string val = double.IsNaN(p.ValidationError) ? "  -   " : p.ValidationError.ToString("F4", inv);
        string best = double.IsNaN(p.BestValidationError) ? "  -   " : p.BestValidationError.ToString("F4", inv);
        return string.Format(inv, "epoch {0,4}/{1} [{2}{3}] loss {4:F4} (pred {5:F4} var {6:F3} cov {7:F3}) val {8} best {9} {10:mm\\:ss}",
            p.Epoch, p.Epochs, new string('#', filled), new string('.', BarWidth - filled), p.Loss,
            p.Terms.Prediction, p.Terms.Variance, p.Terms.Covariance, val, best, p.Elapsed);
    }
}
