using DaemonNet.Collector.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// Healthy while the database takes a write and has room to grow: each check commits one small row
/// through the store's writer and looks at the free space, so a full disk, a read-only file system or
/// a broken file shows here as it would to an agent.
/// gRPC's health service (grpc.health.v1) reports it as SERVING or NOT_SERVING.
/// </summary>
public sealed class DatabaseHealthCheck(IIngestWriter store, StoreDatabase database, TimeProvider time) : IHealthCheck
{
    /// <summary>
    /// Less room than this on the database's file system is unhealthy: a small write may still fit
    /// in the write-ahead log's free pages, but the next large snapshot would not.
    /// </summary>
    public const long MinimumFreeBytes = 1 << 20;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ProbeWriteAsync(time.GetUtcNow(), cancellationToken);
            if (database.LocalFolder is not { } folder)
            {
                // A PostgreSQL server's disk is its administrator's to watch; a write that fails shows here all the same.
                return HealthCheckResult.Healthy("the database takes writes");
            }
            var free = new DriveInfo(folder).AvailableFreeSpace;
            return free < MinimumFreeBytes
                ? HealthCheckResult.Unhealthy($"the file system of {folder} has {free} bytes free, less than {MinimumFreeBytes}")
                : HealthCheckResult.Healthy("the database takes writes");
        }
        catch (System.Data.Common.DbException e)
        {
            return HealthCheckResult.Unhealthy($"the database refuses a write: {e.Message}", e);
        }
    }
}
