using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Storage;

/// <summary>Ingest's side of the store: reports and heartbeats into each host's intervals, and the host claims of collectors that share a database.</summary>
public interface IIngestWriter
{
    /// <summary>
    /// Diffs the report against the host's open intervals and writes the changes in one
    /// transaction. A host returning from silence first has its old intervals ended at its last
    /// report. Returns how long the write held the writer, and the instant it was filed at.
    /// </summary>
    Task<SnapshotWrite> ApplyAsync(HostReport report, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records a heartbeat: only the host's last report moves. Returns false, writing nothing, when
    /// the stored content is not the one the heartbeat vouches for, or the host was silent since.
    /// </summary>
    Task<bool> ConfirmAsync(HeartbeatReport heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the host's stream for this collector, so that one host writes through one collector at
    /// a time. False when another collector of a shared database holds it; with one collector
    /// alone, always true. Held until <see cref="ReleaseHostAsync"/> or until this collector's
    /// connection to the database ends (a crash releases it).
    /// </summary>
    Task<bool> ClaimHostAsync(string host, CancellationToken cancellationToken);

    /// <summary>Gives up what <see cref="ClaimHostAsync"/> took, once the host's stream ended.</summary>
    Task ReleaseHostAsync(string host, CancellationToken cancellationToken);

    /// <summary>Writes one small row through the writer and commits it: throws when the database cannot take a write.</summary>
    Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>What writing a snapshot took: how long it held the writer, and the instant the history holds it at (never before the host's last report).</summary>
public sealed record SnapshotWrite(TimeSpan Held, DateTimeOffset FiledAt);
