namespace DaemonNet.Collector.Answers;

/// <summary>Intervals about a VM, MAC or address, with the hosts they were seen on and those hosts' silences.</summary>
public sealed record HistoryResult(
    IReadOnlyDictionary<long, HostRow> Hosts,
    IReadOnlyList<DomainRow> Domains,
    IReadOnlyList<NicRow> Nics,
    IReadOnlyList<BindingRow> Bindings,
    IReadOnlyList<SilenceRow> Silences)
{
    public static readonly HistoryResult Empty = new(new Dictionary<long, HostRow>(), [], [], [], []);
}
