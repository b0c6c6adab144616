using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using Dapper;

namespace DaemonNet.Bench;

/// <summary>
/// Server-side latency of where (now and at an instant) and history on an existing database:
/// store calls in this process, the part of a query the collector itself does (no gRPC).
/// Queries are VM names, MACs and addresses drawn at random from the database. Each `where` is
/// also held to issue 15's budget: 1 ms when it lists up to ten VMs, and 50 µs more for each VM
/// listed beyond ten.
/// </summary>
internal sealed class QueryLatency(Store store, string databasePath, int queries)
{
    private readonly Random random = new(7);

    public async Task RunAsync()
    {
        string[] names, macs, ips;
        long from, to;
        await using (var connection = BenchDatabase.Open(databasePath))
        {
            names = connection.Query<string>("SELECT name FROM domains ORDER BY random() LIMIT 300").ToArray();
            macs = connection.Query<string>("SELECT mac FROM nics ORDER BY random() LIMIT 300").ToArray();
            ips = connection.Query<string>("SELECT ip FROM bindings ORDER BY random() LIMIT 300").ToArray();
            (from, to) = await connection.QuerySingleAsync<(long, long)>("SELECT min(valid_from), max(valid_from) FROM domains");
            Console.WriteLine($"queries on {databasePath}: {await connection.ExecuteScalarAsync<long>("SELECT (SELECT count(*) FROM domains) + (SELECT count(*) FROM nics) + (SELECT count(*) FROM networks) + (SELECT count(*) FROM links) + (SELECT count(*) FROM bindings)")} interval rows");
        }
        var now = DateTimeOffset.FromUnixTimeMilliseconds(to).AddMinutes(1);
        foreach (var (kind, values) in new[] { ("name", names), ("MAC", macs), ("IP", ips) })
        {
            var whereNow = new Latencies();
            var whereAt = new Latencies();
            var history = new Latencies();
            var budgetNow = new WhereBudget();
            var budgetAt = new WhereBudget();
            // Untimed first calls: the JIT compiles each statement's mapping once per process.
            foreach (var value in values.Take(WarmUp))
            {
                var query = InventoryQuery.Parse(value);
                await store.Where.WhereAsync(query, now, null, CancellationToken.None);
                await store.Where.WhereAsync(query, now, DateTimeOffset.FromUnixTimeMilliseconds(to), CancellationToken.None);
                await store.History.HistoryAsync(query, null, null, CancellationToken.None);
            }
            for (var i = 0; i < queries; i++)
            {
                var query = InventoryQuery.Parse(values[i % values.Length]);
                var at = DateTimeOffset.FromUnixTimeMilliseconds(from + (long)(random.NextDouble() * (to - from)));
                budgetNow.Add(whereNow, await whereNow.TimeAsync(() => store.Where.WhereAsync(query, now, null, CancellationToken.None)));
                budgetAt.Add(whereAt, await whereAt.TimeAsync(() => store.Where.WhereAsync(query, now, at, CancellationToken.None)));
                await history.TimeAsync(() => store.History.HistoryAsync(query, null, null, CancellationToken.None));
            }
            Console.WriteLine($"  by {kind,-4} where (now): {whereNow.Summary}; where --at T: {whereAt.Summary}; history: {history.Summary}");
            Console.WriteLine($"          where (now) {budgetNow.Summary}");
            Console.WriteLine($"          where --at T {budgetAt.Summary}");
        }
    }

    private const int WarmUp = 10;

    /// <summary>Each <c>where</c>'s time against its budget, which grows with the VMs it lists.</summary>
    private sealed class WhereBudget
    {
        private readonly Latencies shareOfBudget = new();
        private int over;
        private int largest;

        public static double BudgetMs(int vms) => 1.0 + 0.05 * Math.Max(0, vms - 10);

        /// <summary>The answer the last timing of <paramref name="timings"/> measured.</summary>
        public void Add(Latencies timings, WhereResult answer)
        {
            var share = timings.Last / BudgetMs(answer.Vms.Count);
            shareOfBudget.Add(TimeSpan.FromMilliseconds(share));
            over += share > 1 ? 1 : 0;
            largest = Math.Max(largest, answer.Vms.Count);
        }

        public string Summary =>
            $"against its budget (1 ms + 50 µs per VM beyond 10): p50 {shareOfBudget.Percentile(50):0.00}, p99 {shareOfBudget.Percentile(99):0.00} of it; " +
            $"{over} of {shareOfBudget.Count} over; most VMs listed {largest}";
    }
}
