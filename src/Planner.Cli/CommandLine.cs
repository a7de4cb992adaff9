using Planner.Cli.Commands;
using Planner.Cli.Infrastructure;

namespace Planner.Cli;

/// <summary>Dispatches the planner command's verbs and maps failures to exit codes: 0 ok, 2 usage error, 1 internal error.</summary>
internal static class CommandLine
{
    public const string Usage = """
        planner: hierarchical model-predictive planning

        usage: planner <command> [options]    (planner <command> --help for its options)

        commands:
          demo         collect, train, plan and report on an embedded maze (the main job)
          collect      reward-free exploration data from a maze (.npz)
          train        learn a world model (encoder + latent predictor) from data
          eval-model   prediction error, collapse check and position probe of a learned model
          landmarks    a landmark graph of a model's latent space from its data (distances around walls)
          eval         plan with a learned model in a maze; success per distance bin
          bench        time planning on a synthetic problem (residual MLP or linear-quadratic)
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        string verb = args[0];
        var rest = args.Skip(1).ToArray();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            stdout.WriteLine(HelpFor(verb));
            return 0;
        }
        return Guarded(verb, stderr, () => verb switch
        {
            "demo" => DemoCommand.Run(rest, stdout, stderr),
            "bench" => BenchCommand.Run(rest, stdout, stderr),
            "collect" => CollectCommand.Run(rest, stdout, stderr),
            "train" => TrainCommand.Run(rest, stdout, stderr),
            "eval-model" => EvalModelCommand.Run(rest, stdout, stderr),
            "landmarks" => LandmarksCommand.Run(rest, stdout, stderr),
            "eval" => EvalCommand.Run(rest, stdout, stderr),
            _ => throw new UsageException($"planner: unknown command '{verb}'; expected one of: demo, collect, train, eval-model, landmarks, eval, bench (see 'planner --help')."),
        });
    }

    /// <summary>Runs a command, mapping user errors to exit code 2 and anything else to 1, each as one line on stderr.</summary>
    internal static int Guarded(string verb, TextWriter stderr, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (UsageException e)
        {
            stderr.WriteLine(e.Message);
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException)
        {
            // Bad input reaching the library (a value out of range, a bad layout, a missing, truncated or corrupted file):
            // the user's to fix.
            stderr.WriteLine($"planner {verb}: {OneLine(e.Message)}");
            return 2;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"planner {verb}: internal error: {OneLine(e.Message)} ({e.GetType().Name}; set PLANNER_DEBUG=1 for the stack trace)");
            if (Environment.GetEnvironmentVariable("PLANNER_DEBUG") == "1") stderr.WriteLine(e);
            return 1;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static string HelpFor(string verb) => verb switch
    {
        "demo" => DemoCommand.Help,
        "bench" => BenchCommand.Help,
        "collect" => CollectCommand.Help,
        "train" => TrainCommand.Help,
        "eval-model" => EvalModelCommand.Help,
        "landmarks" => LandmarksCommand.Help,
        "eval" => EvalCommand.Help,
        _ => Usage,
    };
}
