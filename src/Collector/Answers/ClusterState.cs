namespace DaemonNet.Collector.Answers;

/// <summary>What holds now in the whole cluster, read in one transaction.</summary>
public sealed record ClusterState(
    IReadOnlyList<HostRow> Hosts,
    IReadOnlyList<DomainRow> Domains,
    IReadOnlyList<NicRow> Nics,
    IReadOnlyList<BindingRow> Bindings,
    IReadOnlyList<NetworkRow> Networks,
    IReadOnlyList<LinkRow> Links,
    IReadOnlyList<ConfiguredRow> Configured);
