using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>Retention: deleting intervals that ended before the horizon, and returning the space.</summary>
public sealed partial class SqliteInventoryStore
{
    public async Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var before = endedBefore.ToUnixTimeMilliseconds();
        long removed = 0;
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            using (var transaction = writer.BeginTransaction())
            {
                foreach (var table in FactTables.Append("host_silences").Append("link_traffic"))
                {
                    removed += writer.Execute($"DELETE FROM {table} WHERE valid_to < @Before", new { Before = before }, transaction);
                }
                // Alerts older than the horizon go too, once no sink still waits for them.
                const string Aged = "SELECT id FROM alerts WHERE last_seen < @Before AND id NOT IN (SELECT alert_id FROM alert_deliveries WHERE state = @Pending)";
                var aged = new { Before = before, Pending = (int)Protos.V1.DeliveryState.Pending };
                writer.Execute($"DELETE FROM alert_deliveries WHERE alert_id IN ({Aged})", aged, transaction);
                removed += writer.Execute($"DELETE FROM alerts WHERE id IN ({Aged})", aged, transaction);
                transaction.Commit();
            }
            // Give the freed pages back to the file system; the checkpoint first moves them out of the WAL.
            writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
            writer.Execute("PRAGMA incremental_vacuum", commandType: CommandType.Text);
            writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
        }
        finally
        {
            writeLock.Release();
        }
        return removed;
    }
}
