using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Storage;

/// <summary>Housekeeping: what ages out of the store.</summary>
public interface IRetentionStore
{
    /// <summary>Deletes intervals that ended before the instant and returns the space; returns the rows removed.</summary>
    Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);

    /// <summary>Sums aged traffic rows into coarser ones; returns the rows written and removed.</summary>
    Task<long> DownsampleTrafficAsync(TrafficResolution resolution, DateTimeOffset now, CancellationToken cancellationToken);
}
