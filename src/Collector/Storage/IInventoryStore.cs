using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Everything the collector keeps. SQLite is the implementation; the interface is the seam for a
/// shared PostgreSQL backend later.
/// </summary>
public interface IInventoryStore
{
    /// <summary>Diffs the snapshot against the host's open intervals and writes the changes in one transaction.</summary>
    Task ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records a heartbeat: only the host's last report moves. Returns false, writing nothing, when
    /// the stored content is not the one the heartbeat vouches for.
    /// </summary>
    Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<VmView>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken);
}

public sealed record HostRecord(
    long Id, string Name, string MachineId, string AgentVersion, string Kernel, long IntervalMs,
    string ContentHash, string Errors, long? AgentTime, long FirstReport, long LastReport, long VmCount);

public sealed record DomainRecord(long Id, long HostId, string Uuid, string Name, long State, long Persistent, long ValidFrom);

/// <summary>An open binding with the host whose table showed it and when that host last reported.</summary>
public sealed record BindingRecord(
    string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId,
    long? LeaseExpiry, long ValidFrom, string ObservedOn, long ObserverLastReport);

public sealed record NicView(NicFact Nic, IReadOnlyList<BindingRecord> Addresses);

public sealed record VmView(HostRecord Host, DomainRecord Domain, IReadOnlyList<NicView> Nics);

public sealed record WhereResult(IReadOnlyList<VmView> Vms, string? Note);
