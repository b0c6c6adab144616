using DaemonNet.Collector.Answers;

namespace DaemonNet.Collector.Storage;

/// <summary>The history question, and what where --at shows when nothing held at the instant.</summary>
public interface IHistoryReader
{
    /// <summary>Every interval about the queried VM, MAC or address that overlaps [since, until).</summary>
    Task<HistoryResult> HistoryAsync(InventoryQuery query, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken);

    /// <summary>The intervals about the query nearest to an instant, before and after it.</summary>
    Task<NearestIntervals> NearestAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset at, CancellationToken cancellationToken);
}
