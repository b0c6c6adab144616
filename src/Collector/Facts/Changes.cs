namespace DaemonNet.Collector.Facts;

/// <summary>What a snapshot changed in one table: the intervals it closed (with their facts), the facts it opened, and the open intervals whose other attributes it changed.</summary>
public sealed class Changes<T>
{
    public List<OpenFact<T>> Closed { get; } = [];
    public List<T> Opened { get; } = [];
    public List<OpenFact<T>> Updated { get; } = [];
}
