using System.Globalization;

namespace Planner.Cli.Infrastructure;

/// <summary>A one-line progress bar on stderr: redrawn in place on a terminal, a line per 10% when redirected.</summary>
internal sealed class ProgressLine(string label, TextWriter? writer = null) : IProgress<double>
{
    private readonly TextWriter _writer = writer ?? Console.Error;
    private readonly bool _interactive = writer is null && !Console.IsErrorRedirected;
    private readonly DateTime _start = DateTime.UtcNow;
    private int _lastDecile = -1;

    public void Report(double fraction) => Report(fraction, "");

    public void Report(double fraction, string detail)
    {
        fraction = Math.Clamp(fraction, 0, 1);
        int filled = (int)Math.Round(fraction * 24);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{label} [{new string('#', filled)}{new string('.', 24 - filled)}] {fraction,4:P0} {detail} {DateTime.UtcNow - _start:mm\\:ss}");
        if (_interactive)
        {
            _writer.Write("\r" + text.PadRight(100));
            if (fraction >= 1) _writer.WriteLine();
        }
        else
        {
            int decile = (int)(fraction * 10);
            if (decile != _lastDecile) { _writer.WriteLine(text); _lastDecile = decile; }
        }
    }
}
