using System.Data.Common;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// One host's write inside a group-commit transaction: the host's row, the instant it is filed at
/// (<see cref="Now"/>) and its previous report, and what the write gathers on the way.
/// </summary>
/// <param name="Database">What differs between the databases: IN lists, rows per INSERT.</param>
/// <param name="Prepared">The writer's statements that are prepared once.</param>
internal sealed record WriteScope(DbConnection Connection, DbTransaction Transaction, long HostId, long Now, long PreviousReport, long RejoinWindowMs,
    StoreDatabase Database, PreparedCommands Prepared)
{
    /// <summary>What this write opened and closed that watchers are told of, once it commits.</summary>
    public CommittedFacts Committed { get; } = new();

    /// <summary>The host's counter readings in this write, if it carried any.</summary>
    public IReadOnlyList<CounterReading>? Readings { get; set; }

    /// <summary>Set when this write turned the host's counter readings into traffic rows.</summary>
    public bool CountersRecorded { get; set; }

    /// <summary>The host's open rows: kept from its last snapshot, or else read at the first kind's turn.</summary>
    public OpenRows? Open { get; set; }

    /// <summary>For a host back from a silence: the rows it had open before it, which the watchers' news is measured against.</summary>
    public OpenRows? EventsBaseline { get; set; }
}
