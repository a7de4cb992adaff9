namespace Planner.Checkpoints;

/// <summary>
/// A checkpoint could not be read: a file is missing, truncated or corrupted, or its weights disagree with its metadata.
/// The message names the file, what was found and what was expected.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CheckpointException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CheckpointException() : base("the checkpoint could not be read.")
    {
    }
}
