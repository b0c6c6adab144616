namespace DaemonNet.Collector.Storage;

/// <summary>What <see cref="IntervalDiff"/> found: the intervals to close (by row id), the facts to open, and the open intervals whose other attributes changed.</summary>
public sealed class Changes<T>
{
    public List<OpenFact<T>> Closed { get; } = [];
    public List<T> Opened { get; } = [];
    public List<OpenFact<T>> Updated { get; } = [];
}
