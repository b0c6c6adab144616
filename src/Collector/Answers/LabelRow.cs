namespace DaemonNet.Collector.Answers;

/// <summary>A VM's labels' interval on a host (<see cref="Facts.FactCatalogue.Labels"/>).</summary>
public sealed record LabelRow(long HostId, string DomainUuid, string Title, string Description, string Owner, string Tags, long ValidFrom, long? ValidTo)
{
    public IReadOnlyList<string> TagList => Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
