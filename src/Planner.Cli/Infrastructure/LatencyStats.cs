using System.Text.Json;

namespace Planner.Cli.Infrastructure;

/// <summary>Percentiles of a set of latencies (nearest rank).</summary>
internal readonly record struct LatencyStats(double Median, double P90, double P99, double Max, double Mean)
{
    public static LatencyStats From(double[] samples)
    {
        if (samples.Length == 0) return new LatencyStats(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = (double[])samples.Clone();
        Array.Sort(sorted);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(Rank(0.5), Rank(0.9), Rank(0.99), sorted[^1], sorted.Average());
    }

    /// <summary>Writes <c>median_ms</c>, <c>p90_ms</c>, <c>p99_ms</c> and <c>max_ms</c> (the fields every latency report shares).</summary>
    public void WritePercentiles(Utf8JsonWriter w)
    {
        w.Number("median_ms", Median);
        w.Number("p90_ms", P90);
        w.Number("p99_ms", P99);
        w.Number("max_ms", Max);
    }
}
