using Planner.Environments.Mazes;

namespace Planner.Cli.Infrastructure;

/// <summary>Parses <c>--env maze:NAME|FILE</c>.</summary>
internal static class EnvSpec
{
    public static MazeLayout Parse(string command, string spec)
    {
        const string prefix = "maze:";
        if (!spec.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || spec.Length == prefix.Length)
            throw new UsageException($"planner {command}: --env must be maze:NAME or maze:FILE (NAME one of {string.Join(", ", BuiltInLayouts.Names)}), got '{spec}'.");
        string target = spec[prefix.Length..];
        try
        {
            return MazeLayout.FromNameOrFile(target);
        }
        catch (FileNotFoundException)
        {
            throw new UsageException($"planner {command}: '{target}' is neither a built-in layout ({string.Join(", ", BuiltInLayouts.Names)}) nor a layout file.");
        }
    }
}
