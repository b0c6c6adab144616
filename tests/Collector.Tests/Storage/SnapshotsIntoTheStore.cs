using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The agent's messages turned into reports as the ingest service turns them (<see cref="FactCatalogue.Report(HostSnapshot, long)"/>), for tests that write into the store directly.</summary>
internal static class SnapshotsIntoTheStore
{
    public static Task<SnapshotWrite> ApplySnapshotAsync(this IIngestWriter writer, HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        writer.ApplyAsync(FactCatalogue.Report(snapshot, receivedAt.ToUnixTimeMilliseconds()), receivedAt, cancellationToken);

    public static Task<bool> ConfirmHeartbeatAsync(this IIngestWriter writer, Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        writer.ConfirmAsync(FactCatalogue.Report(heartbeat), receivedAt, cancellationToken);
}
