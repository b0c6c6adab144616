using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Tests.Storage;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Alert = DaemonNet.Collector.Alerting.Alert;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Operations;

/// <summary><c>daemonnet-collector migrate</c>, the real program: a SQLite history into PostgreSQL, answers and all.</summary>
public sealed class MigrateTests : IDisposable
{
    private const string Mac1 = "52:54:00:aa:00:01";
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly string[] Queries = ["web1", Mac1, "192.168.122.45", "db1", "52:54:00:aa:00:02"];
    private readonly TestDatabase sqlite = new(StoreKind.Sqlite);
    private readonly TestDatabase postgres = new(StoreKind.Postgres);

    public void Dispose()
    {
        sqlite.Dispose();
        postgres.Dispose();
    }

    /// <summary>A history with every kind of row: VMs that come and go, a move, a silence, leases, counters, an alert.</summary>
    private async Task WriteHistoryAsync()
    {
        using var store = new Store(sqlite.Address, IntervalRules.Default);
        for (var i = 0; i < 12; i++)
        {
            var at = T0.AddSeconds(10 * i + (i >= 6 ? 600 : 0));
            var daemon1 = Host("daemon1", Vm("web1", 1, i % 4 == 3 ? DomainState.Paused : DomainState.Running, NatNic(Mac1)))
                .WithLease("192.168.122.45", Mac1, TimeSpan.FromHours(1), "web1");
            if (i < 8)
            {
                daemon1.Domains.Add(Vm("db1", 2, DomainState.Running, NatNic("52:54:00:aa:00:02")));
            }
            await store.Ingest.ApplySnapshotAsync(daemon1.WithNeighbour($"10.77.0.{50 + i % 3}", "52:54:00:aa:00:02", NeighbourState.Reachable, "br0"), at, CancellationToken.None);
        }
        await store.Alerts.RecordAsync(new AlertBatch([AlertDocument.New(
            new Alert("vm_defined", DaemonNet.Collector.Audit.Severity.Info, T0.ToUnixTimeMilliseconds(), "web1 defined", "nothing"),
            "vm_defined/web1", TimeSpan.FromMinutes(5), ["ops"])]), CancellationToken.None);
    }

    private static async Task<List<string>> AnswersAsync(Store store)
    {
        var answers = new List<string>();
        foreach (var query in Queries)
        {
            foreach (var at in new DateTimeOffset?[] { null, T0.AddSeconds(25), T0.AddSeconds(300) })
            {
                var found = await store.Where.WhereAsync(InventoryQuery.Parse(query), T0.AddSeconds(800), at, CancellationToken.None);
                answers.Add($"where {query} at {at:O}: {string.Join("; ", found.Vms.Select(v => $"{v.Host.Name} {v.Domain.Name} {v.Domain.State} {v.Host.LastReport} [{string.Join(' ', v.Nics.SelectMany(n => n.Addresses).Select(a => $"{a.Ip}/{a.Source}"))}]"))}");
            }
            var history = await store.History.HistoryAsync(InventoryQuery.Parse(query), null, null, CancellationToken.None);
            answers.Add($"history {query}: {history.Domains.Count} domains, {history.Nics.Count} nics, {history.Bindings.Count} bindings, {history.Silences.Count} silences");
        }
        answers.AddRange((await store.Alerts.RecentAlertsAsync(null, 10, CancellationToken.None)).Select(AlertDocument.Read).Select(a => $"alert {a.Rule} {a.Summary} {a.Deliveries.Count}"));
        return answers;
    }

    [Fact]
    public async Task Migrate_SqliteHistory_PostgresAnswersEveryQuestionAlike()
    {
        await WriteHistoryAsync();

        using var migrate = RunningProgram.Start(Programs.Collector, ["migrate", "--from", sqlite.Address, "--to", postgres.Address]);

        Assert.True(await migrate.ExitCodeAsync(TimeSpan.FromSeconds(120)) == 0, migrate.Output);
        Assert.Contains("every table's count agrees", migrate.Output);
        Assert.Contains("bindings: ", migrate.Output);
        using var before = new Store(sqlite.Address, IntervalRules.Default);
        using var after = new Store(postgres.Address, IntervalRules.Default);
        var expected = await AnswersAsync(before);
        Assert.Contains(expected, a => a.StartsWith("history web1: ", StringComparison.Ordinal) && a.Contains(", 1 silences", StringComparison.Ordinal));
        Assert.Equal(expected, await AnswersAsync(after));
        // New rows continue the ids: the next snapshot writes where the copy ended.
        await after.Ingest.ApplySnapshotAsync(Host("daemon1", Vm("web2", 3)), T0.AddSeconds(900), CancellationToken.None);
        Assert.Single((await after.Where.WhereAsync(InventoryQuery.Parse("web2"), T0.AddSeconds(900), null, CancellationToken.None)).Vms);
    }

    [Fact]
    public async Task Migrate_IntoADatabaseThatHoldsHosts_RefusesAndWritesNoRow()
    {
        await WriteHistoryAsync();
        using (var other = new Store(postgres.Address, IntervalRules.Default))
        {
            await other.Ingest.ApplySnapshotAsync(Host("daemon9", Vm("other", 9)), T0, CancellationToken.None);
        }

        using var migrate = RunningProgram.Start(Programs.Collector, ["migrate", "--from", sqlite.Address, "--to", postgres.Address]);

        Assert.Equal(1, await migrate.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("already holds 1 hosts: migrate into an empty database", migrate.Output);
        Assert.Equal(1, postgres.Scalar<long>("SELECT count(*) FROM domains"));
    }

    [Fact]
    public async Task Migrate_NoSuchFile_SaysSo()
    {
        using var migrate = RunningProgram.Start(Programs.Collector, ["migrate", "--from", "/nonexistent/collector.db", "--to", postgres.Address]);

        Assert.Equal(1, await migrate.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("there is no SQLite database at /nonexistent/collector.db", migrate.Output);
    }
}
