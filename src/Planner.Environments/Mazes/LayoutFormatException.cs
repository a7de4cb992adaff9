namespace Planner.Environments.Mazes;

/// <summary>
/// A maze layout text that cannot be used: an unknown or ragged character, no free cell, a start and goal that are not
/// connected. <see cref="Line"/> and <see cref="Column"/> are 1-based and 0 when the problem has no single location.
/// </summary>
public sealed class LayoutFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public LayoutFormatException(string message, int line = 0, int column = 0, char? character = null)
        : base(message)
    {
        Line = line;
        Column = column;
        Character = character;
    }

    /// <summary>1-based line of the offending character (0 when not tied to one place).</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending character (0 when not tied to one place).</summary>
    public int Column { get; }

    /// <summary>The offending character, when there is one.</summary>
    public char? Character { get; }
}
