using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>Retention: deleting intervals that ended before the horizon, and returning the space.</summary>
public sealed partial class InventoryStore
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
            database.ReclaimSpace(writer);
        }
        finally
        {
            writeLock.Release();
        }
        return removed;
    }
}
