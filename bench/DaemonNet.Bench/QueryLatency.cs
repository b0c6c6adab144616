using Dapper;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Bench;

/// <summary>
/// Server-side latency of where (now and at an instant) and history on an existing database:
/// store calls in this process, the part of a query the collector itself does (no gRPC).
/// Queries are VM names, MACs and addresses drawn at random from the database.
/// </summary>
internal sealed class QueryLatency(IInventoryStore store, string databasePath, int queries)
{
    private readonly Random random = new(7);

    public async Task RunAsync()
    {
        string[] names, macs, ips;
        long from, to;
        using (var connection = BenchDatabase.Open(databasePath))
        {
            names = connection.Query<string>("SELECT name FROM domains ORDER BY random() LIMIT 300").ToArray();
            macs = connection.Query<string>("SELECT mac FROM nics ORDER BY random() LIMIT 300").ToArray();
            ips = connection.Query<string>("SELECT ip FROM bindings ORDER BY random() LIMIT 300").ToArray();
            (from, to) = connection.QuerySingle<(long, long)>("SELECT min(valid_from), max(valid_from) FROM domains");
            Console.WriteLine($"queries on {databasePath}: {connection.ExecuteScalar<long>("SELECT (SELECT count(*) FROM domains) + (SELECT count(*) FROM nics) + (SELECT count(*) FROM networks) + (SELECT count(*) FROM links) + (SELECT count(*) FROM bindings)")} interval rows");
        }
        var now = DateTimeOffset.FromUnixTimeMilliseconds(to).AddMinutes(1);
        foreach (var (kind, values) in new[] { ("name", names), ("MAC", macs), ("IP", ips) })
        {
            var whereNow = new Latencies();
            var whereAt = new Latencies();
            var history = new Latencies();
            for (var i = 0; i < queries; i++)
            {
                var query = InventoryQuery.Parse(values[i % values.Length]);
                var at = DateTimeOffset.FromUnixTimeMilliseconds(from + (long)(random.NextDouble() * (to - from)));
                await whereNow.TimeAsync(() => store.WhereAsync(query, now, null, CancellationToken.None));
                await whereAt.TimeAsync(() => store.WhereAsync(query, now, at, CancellationToken.None));
                await history.TimeAsync(() => store.HistoryAsync(query, null, null, CancellationToken.None));
            }
            Console.WriteLine($"  by {kind,-4} where (now): {whereNow.Summary}; where --at T: {whereAt.Summary}; history: {history.Summary}");
        }
    }
}
