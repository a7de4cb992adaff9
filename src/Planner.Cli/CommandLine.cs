namespace Planner.Cli;

/// <summary>Dispatches the planner command's verbs.</summary>
internal static class CommandLine
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine("planner: not yet");
        return 0;
    }
}
