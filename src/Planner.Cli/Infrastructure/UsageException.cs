namespace Planner.Cli.Infrastructure;

/// <summary>A mistake in how the command was called (bad flag, bad value, missing file): exit code 2, one line on stderr.</summary>
internal sealed class UsageException(string message) : Exception(message);
