using System.Globalization;

namespace Planner.Cli.Infrastructure;

/// <summary>
/// A small, strict parser for <c>--name value</c> and <c>--switch</c> flags. Unknown flags, missing values and values
/// of the wrong type raise <see cref="UsageException"/> naming the flag and what was expected.
/// </summary>
internal sealed class Arguments
{
    private readonly string _command;
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Arguments(string command) => _command = command;

    /// <summary>Parses <paramref name="args"/>; <paramref name="switches"/> are the flags that take no value.</summary>
    public static Arguments Parse(string command, IReadOnlyList<string> args, IReadOnlyCollection<string> valueFlags, IReadOnlyCollection<string> switches)
    {
        var result = new Arguments(command);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"planner {command}: unexpected argument '{arg}'; options start with -- (see 'planner {command} --help').");
            string name = arg[2..];
            string? inlineValue = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) { inlineValue = name[(eq + 1)..]; name = name[..eq]; }
            if (switches.Contains(name))
            {
                if (inlineValue is not null) throw new UsageException($"planner {command}: --{name} takes no value.");
                result._values[name] = null;
            }
            else if (valueFlags.Contains(name))
            {
                string? value = inlineValue;
                if (value is null)
                {
                    if (i + 1 >= args.Count) throw new UsageException($"planner {command}: --{name} needs a value.");
                    value = args[++i];
                }
                result._values[name] = value;
            }
            else
            {
                throw new UsageException($"planner {command}: unknown option '--{name}' (see 'planner {command} --help').");
            }
        }
        return result;
    }

    public bool Has(string name) { _used.Add(name); return _values.ContainsKey(name); }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public string Required(string name) => String(name) ?? throw new UsageException($"planner {_command}: --{name} is required.");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? raw = String(name);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"planner {_command}: --{name} expects an integer, got '{raw}'.");
        if (value < min || value > max)
            throw new UsageException($"planner {_command}: --{name} must be in [{min}, {max}], got {value}.");
        return value;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        string? raw = String(name);
        if (raw is null) return fallback;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new UsageException($"planner {_command}: --{name} expects a finite number, got '{raw}'.");
        if (value < min || value > max || (exclusiveMin && value == min))
            throw new UsageException($"planner {_command}: --{name} must be {(exclusiveMin ? ">" : ">=")} {min.ToString(CultureInfo.InvariantCulture)}{(double.IsFinite(max) ? $" and <= {max.ToString(CultureInfo.InvariantCulture)}" : "")}, got {raw}.");
        return value;
    }

    /// <summary>A comma-separated list of sizes, e.g. <c>256,256</c>.</summary>
    public int[] Sizes(string name, int[] fallback, int min = 1, int max = 1 << 20)
    {
        string? raw = String(name);
        if (raw is null) return fallback;
        var parts = raw.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < min || sizes[i] > max)
                throw new UsageException($"planner {_command}: --{name} expects comma-separated integers in [{min}, {max}] (e.g. 256,256), got '{raw}'.");
        }
        return sizes;
    }

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        string? raw = String(name);
        if (raw is null) return fallback;
        if (choices.TryGetValue(raw.ToLowerInvariant(), out var value)) return value;
        throw new UsageException($"planner {_command}: --{name} must be one of {string.Join(", ", choices.Keys)}, got '{raw}'.");
    }
}
