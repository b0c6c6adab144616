using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Traffic;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>Retention: deleting intervals that ended before the horizon and returning the space, and summing aged traffic rows into coarser ones.</summary>
public sealed class RetentionStore(StoreWriter writer) : IRetentionStore
{
    // Alerts older than the horizon go too, once no sink still waits for them.
    private const string Aged = "SELECT id FROM alerts WHERE last_seen < @Before AND id NOT IN (SELECT alert_id FROM alert_deliveries WHERE state = @Pending)";

    public Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken) => writer.RunAsync(() =>
    {
        var before = endedBefore.ToUnixTimeMilliseconds();
        long removed = 0;
        using (var transaction = writer.Connection.BeginTransaction())
        {
            foreach (var table in FactCatalogue.All.Select(k => k.Table).Append("host_silences").Append("link_traffic"))
            {
                removed += writer.Connection.Execute($"DELETE FROM {table} WHERE valid_to < @Before", new { Before = before }, transaction);
            }
            var aged = new { Before = before, Pending = (int)AlertDeliveryState.Pending };
            writer.Connection.Execute($"DELETE FROM alert_deliveries WHERE alert_id IN ({Aged})", aged, transaction);
            removed += writer.Connection.Execute($"DELETE FROM alerts WHERE id IN ({Aged})", aged, transaction);
            transaction.Commit();
        }
        writer.Database.ReclaimSpace(writer.Connection);
        return removed;
    }, cancellationToken);

    // Rows are grouped by the bucket their end falls in; the cut-off is a bucket boundary, so
    // every bucket summed is complete.
    private const string SumTraffic = """
        INSERT INTO link_traffic (host_id, link, resolution, valid_from, valid_to, rx_bytes, tx_bytes, rx_packets, tx_packets)
        SELECT host_id, link, @To, min(valid_from), max(valid_to), sum(rx_bytes), sum(tx_bytes), sum(rx_packets), sum(tx_packets)
        FROM link_traffic WHERE resolution = @From AND valid_to < @Before
        GROUP BY host_id, link, valid_to / (@To * 1000);
        DELETE FROM link_traffic WHERE resolution = @From AND valid_to < @Before;
        """;

    public Task<long> DownsampleTrafficAsync(TrafficResolution resolution, DateTimeOffset now, CancellationToken cancellationToken) =>
        writer.InTransactionAsync(transaction =>
        {
            // Two collectors summing the same rows at once would count them twice.
            writer.Serialize("downsample traffic", transaction);
            long rows = 0;
            foreach (var (from, to, age) in resolution.Steps)
            {
                var bucket = to * 1000L;
                var before = (now - age).ToUnixTimeMilliseconds() / bucket * bucket;
                rows += writer.Connection.Execute(SumTraffic, new { From = from, To = to, Before = before }, transaction);
            }
            return rows;
        }, cancellationToken);
}
