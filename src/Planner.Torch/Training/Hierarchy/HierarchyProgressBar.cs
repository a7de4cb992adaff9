namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// Shows <see cref="LevelProgress"/> on a text writer (default: standard error), like <see cref="TrainingProgressBar"/>
/// with the level in front: one line per level updated in place on a terminal, one line per epoch when redirected.
/// </summary>
public sealed class HierarchyProgressBar : IProgress<LevelProgress>
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private int _lastLength, _lastLevel = -1;

    /// <summary>Writes to <paramref name="writer"/> (default <see cref="Console.Error"/>); <paramref name="interactive"/> null detects whether standard error is a terminal.</summary>
    public HierarchyProgressBar(TextWriter? writer = null, bool? interactive = null)
    {
        _writer = writer ?? Console.Error;
        _interactive = interactive ?? (writer is null && !Console.IsErrorRedirected);
    }

    /// <inheritdoc />
    public void Report(LevelProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Progress.Finished)
        {
            Finish();
            _lastLevel = -1;
            _writer.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, "level {0}/{1} done: {2} epochs, best validation {3:F4}, {4:mm\\:ss}",
                value.Level, value.Levels - 1, value.Progress.Epoch, value.Progress.BestValidationError, value.Progress.Elapsed));
            _writer.Flush();
            return;
        }
        string text = Format(value);
        if (_interactive)
        {
            if (_lastLevel >= 0 && value.Level != _lastLevel) Finish();
            _lastLevel = value.Level;
            string padded = text.Length < _lastLength ? text.PadRight(_lastLength) : text;
            _writer.Write('\r' + padded);
            _lastLength = text.Length;
            _writer.Flush();
        }
        else if (value.Progress.EpochDone)
        {
            _writer.WriteLine(text);
        }
    }

    /// <summary>Ends the in-place line.</summary>
    public void Finish()
    {
        if (_interactive && _lastLength > 0) _writer.WriteLine();
        _lastLength = 0;
    }

    /// <summary>The text of one report: <c>level k/L</c> then the <see cref="TrainingProgressBar.Format"/> text.</summary>
    public static string Format(LevelProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return $"level {value.Level}/{value.Levels - 1} {TrainingProgressBar.Format(value.Progress)}";
    }
}
