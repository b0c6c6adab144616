using System.Diagnostics;

namespace DaemonNet.Bench;

/// <summary>Timings of one kind of operation, summarised as percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> milliseconds = [];

    public int Count => milliseconds.Count;

    /// <summary>The latest timing, in milliseconds.</summary>
    public double Last => milliseconds[^1];

    public async Task<T> TimeAsync<T>(Func<Task<T>> operation)
    {
        var watch = Stopwatch.StartNew();
        var result = await operation();
        milliseconds.Add(watch.Elapsed.TotalMilliseconds);
        return result;
    }

    public void Add(TimeSpan elapsed) => milliseconds.Add(elapsed.TotalMilliseconds);

    public double Percentile(double p)
    {
        var sorted = milliseconds.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    public string Summary => $"p50 {Percentile(50):0.000} ms, p99 {Percentile(99):0.000} ms (n={Count})";

    /// <summary>The summary with the slowest call, for runs where one stalled call would hide in the percentiles.</summary>
    public string SummaryWithMax => $"p50 {Percentile(50):0.000} ms, p99 {Percentile(99):0.000} ms, max {Percentile(100):0.000} ms (n={Count})";
}
