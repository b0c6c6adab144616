using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Everything the collector keeps, in SQLite or in a PostgreSQL database that several collectors share.
/// </summary>
public interface IInventoryStore
{
    /// <summary>
    /// Diffs the snapshot against the host's open intervals and writes the changes in one
    /// transaction. A host returning from silence first has its old intervals ended at its last report.
    /// Returns how long the write held the store's writer, and the instant it was filed at.
    /// </summary>
    Task<SnapshotWrite> ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the host's stream for this collector, so that one host writes through one collector at
    /// a time. False when another collector of a shared database holds it; with one collector
    /// alone, always true. Held until <see cref="ReleaseHostAsync"/> or until this collector's
    /// connection to the database ends (a crash releases it).
    /// </summary>
    Task<bool> ClaimHostAsync(string host, CancellationToken cancellationToken);

    /// <summary>Gives up what <see cref="ClaimHostAsync"/> took, once the host's stream ended.</summary>
    Task ReleaseHostAsync(string host, CancellationToken cancellationToken);

    /// <summary>
    /// Records a heartbeat: only the host's last report moves. Returns false, writing nothing, when
    /// the stored content is not the one the heartbeat vouches for, or the host was silent since.
    /// </summary>
    Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>The VMs the query matches now (<paramref name="at"/> null) or as they stood at an instant.</summary>
    Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset? at, CancellationToken cancellationToken);

    /// <summary>Every interval about the queried VM, MAC or address that overlaps [since, until).</summary>
    Task<HistoryResult> HistoryAsync(InventoryQuery query, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken);

    /// <summary>The intervals about the query nearest to an instant, before and after it: what "where --at" shows when nothing held then.</summary>
    Task<NearestIntervals> NearestAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<HostRow>> ListHostsAsync(CancellationToken cancellationToken);

    /// <summary>The names of every VM defined now, each once: what a mistyped name is compared with.</summary>
    Task<IReadOnlyList<string>> CurrentVmNamesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<LocatedVm>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes intervals that ended before the instant and returns the space; returns the rows removed.</summary>
    Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);

    /// <summary>Sums aged traffic rows into coarser ones; returns the rows written and removed.</summary>
    Task<long> DownsampleTrafficAsync(TrafficResolution resolution, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Traffic rows that end after <paramref name="since"/>, of one host or all, by host and link, oldest first.</summary>
    Task<IReadOnlyList<TrafficRow>> TrafficAsync(string? hostName, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>What holds now in the whole cluster.</summary>
    Task<ClusterState> CurrentStateAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The latest counter reading of every link of every host.</summary>
    Task<IReadOnlyList<LinkCounterRow>> LinkCountersAsync(CancellationToken cancellationToken);

    /// <summary>Writes one small row through the writer and commits it: throws when the database cannot take a write.</summary>
    Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The database's files (with its write-ahead log) in bytes.</summary>
    long SizeInBytes { get; }
}

/// <summary>What writing a snapshot took: how long it held the writer, and the instant the history holds it at (never before the host's last report).</summary>
public sealed record SnapshotWrite(TimeSpan Held, DateTimeOffset FiledAt);
