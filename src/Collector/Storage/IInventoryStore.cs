using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Everything the collector keeps. SQLite is the implementation; the interface is the seam for a
/// shared PostgreSQL backend later.
/// </summary>
public interface IInventoryStore
{
    /// <summary>
    /// Diffs the snapshot against the host's open intervals and writes the changes in one
    /// transaction. A host returning from silence first has its old intervals ended at its last report.
    /// Returns how long the write held the store's writer.
    /// </summary>
    Task<TimeSpan> ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records a heartbeat: only the host's last report moves. Returns false, writing nothing, when
    /// the stored content is not the one the heartbeat vouches for, or the host was silent since.
    /// </summary>
    Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>The VMs the query matches now (<paramref name="at"/> null) or as they stood at an instant.</summary>
    Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset? at, CancellationToken cancellationToken);

    /// <summary>Every interval about the queried VM, MAC or address that overlaps [since, until).</summary>
    Task<HistoryResult> HistoryAsync(InventoryQuery query, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken);

    Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken cancellationToken);

    /// <summary>The names of every VM defined now, each once: what a mistyped name is compared with.</summary>
    Task<IReadOnlyList<string>> CurrentVmNamesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<VmView>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes intervals that ended before the instant and returns the space; returns the rows removed.</summary>
    Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);

    /// <summary>Sums aged traffic rows into coarser ones; returns the rows written and removed.</summary>
    Task<long> DownsampleTrafficAsync(TrafficResolution resolution, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Traffic rows that end after <paramref name="since"/>, of one host or all, by host and link, oldest first.</summary>
    Task<IReadOnlyList<TrafficRow>> TrafficAsync(string? hostName, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>What holds now in the whole cluster.</summary>
    Task<ClusterState> CurrentStateAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// A host as last reported. Properties rather than a constructor: VmCount is computed, and on an
/// empty table SQLite gives such a column no type, which Dapper's constructor matching rejects.
/// </summary>
public sealed record HostRecord
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string MachineId { get; init; } = "";
    public string AgentVersion { get; init; } = "";
    public string Kernel { get; init; } = "";
    public long IntervalMs { get; init; }
    public string ContentHash { get; init; } = "";
    public string Errors { get; init; } = "[]";
    public long? AgentTime { get; init; }
    public long FirstReport { get; init; }
    public long LastReport { get; init; }

    /// <summary>The sources that failed in the host's last snapshot, with their messages.</summary>
    public IEnumerable<SourceError> SourceErrors =>
        (System.Text.Json.JsonSerializer.Deserialize<string[][]>(Errors) ?? []).Select(e => new SourceError { Source = e[0], Message = e[1] });

    /// <summary>Running and defined VMs now; counted for host listings only, zero in answers about VMs.</summary>
    public long VmCount { get; init; }
}

public sealed record DomainRecord(long Id, long HostId, string Uuid, string Name, long State, long Persistent, long ValidFrom, long? ValidTo);

/// <summary>A binding with the host whose table showed it and when that host last reported.</summary>
public sealed record BindingRecord(
    string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId,
    long? LeaseExpiry, long ValidFrom, long? ValidTo, long? LastSeen, long HostId, string ObservedOn, long ObserverLastReport)
{
    /// <summary>The last report that showed the binding: its host's last report while it is open.</summary>
    public long LastConfirmed => LastSeen ?? (ValidTo is null ? ObserverLastReport : ValidFrom);
}

public sealed record NicView(NicFact Nic, IReadOnlyList<BindingRecord> Addresses);

public sealed record VmView(HostRecord Host, DomainRecord Domain, IReadOnlyList<NicView> Nics);

/// <param name="Vms">The VMs that match.</param>
/// <param name="BoundWithoutVm">
/// When none match an IP address: the MACs bound to it, each with the host that saw it ("MAC (host)");
/// when none match a MAC: the addresses bound to it.
/// </param>
public sealed record WhereResult(IReadOnlyList<VmView> Vms, IReadOnlyList<string> BoundWithoutVm);

public sealed record NicSpan(long HostId, string DomainUuid, string Mac, long Kind, string Network, string Bridge, string TargetDev, long ValidFrom, long? ValidTo);

public sealed record SilenceSpan(long HostId, long ValidFrom, long? ValidTo);

public sealed record HistoryResult(
    IReadOnlyDictionary<long, HostRecord> Hosts,
    IReadOnlyList<DomainRecord> Domains,
    IReadOnlyList<NicSpan> Nics,
    IReadOnlyList<BindingRecord> Bindings,
    IReadOnlyList<SilenceSpan> Silences);

public sealed record NetworkRow(long HostId, string Name, string Bridge, string ForwardMode, long Active, string Addresses, long ValidFrom)
{
    /// <summary>The network's prefixes (192.168.122.1/24, 2001:db8:1::1/64), without the DHCP ranges stored beside them.</summary>
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("dhcp=", StringComparison.Ordinal));
}

public sealed record LinkRow(long HostId, string Name, string Kind, string Operstate, long Mtu, string Addresses,
    string TunnelLocal, string TunnelRemote, long TunnelTtl, long ValidFrom)
{
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public sealed record ConfiguredRow(long HostId, string Name, string Family, string Method, long Auto, string Address, string Netmask,
    string Endpoint, string Local, long Ttl, string Gateway, string Mode, string BridgePorts, string File, long Line, long ValidFrom)
{
    /// <summary>ifupdown's tunnel methods: v4tunnel (6in4, as Hurricane Electric configures it) and tunnel (gre, ipip, ip6ip6, … by mode).</summary>
    public bool IsTunnel => Method is "v4tunnel" or "tunnel" or "6to4";
}

/// <summary>What holds now in the whole cluster, read in one transaction.</summary>
public sealed record ClusterState(
    IReadOnlyList<HostRecord> Hosts,
    IReadOnlyList<DomainRecord> Domains,
    IReadOnlyList<NicSpan> Nics,
    IReadOnlyList<BindingRecord> Bindings,
    IReadOnlyList<NetworkRow> Networks,
    IReadOnlyList<LinkRow> Links,
    IReadOnlyList<ConfiguredRow> Configured);
