using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The access log on both stores: appended in batches, read by caller, pruned by its own retention.</summary>
public abstract class AccessLogStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase database;
    private readonly Store store;

    protected AccessLogStoreTests(StoreKind kind)
    {
        database = new TestDatabase(kind);
        store = new Store(database.Address, IntervalRules.Default);
    }

    public void Dispose()
    {
        store.Dispose();
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    private static AccessRecord Asked(string caller, TimeSpan ago) =>
        new((Now - ago).ToUnixTimeMilliseconds(), caller, "daemonnet.v1.Inventory/Where", "{ \"query\": \"web1\" }", 1, "OK", 0.7);

    [Fact]
    public async Task Append_ThenRead_NewestFirstByCaller_AndPruneRemovesOnlyTheOld()
    {
        await store.Access.AppendAsync([Asked("reader alice (certificate)", TimeSpan.FromDays(100)), Asked("reader alice (certificate)", TimeSpan.FromMinutes(5)),
            Asked("open read", TimeSpan.FromMinutes(1))], CancellationToken.None);

        var recent = await store.Access.ReadAsync(Now - TimeSpan.FromDays(1), "", 10, CancellationToken.None);
        var alice = await store.Access.ReadAsync(Now - TimeSpan.FromDays(365), "alice", 10, CancellationToken.None);
        var pruned = await store.Access.PruneAsync(Now - TimeSpan.FromDays(90), CancellationToken.None);
        var kept = await store.Access.ReadAsync(Now - TimeSpan.FromDays(365), "", 10, CancellationToken.None);

        Assert.Equal(["open read", "reader alice (certificate)"], recent.Select(r => r.Caller), StringComparer.Ordinal);
        Assert.Equal(2, alice.Count);
        Assert.Equal(1, pruned);
        Assert.Equal(2, kept.Count);
        Assert.Equal(Asked("open read", TimeSpan.FromMinutes(1)), kept[0]);
    }
}

public sealed class AccessLogStoreOnSqliteTests() : AccessLogStoreTests(StoreKind.Sqlite);

public sealed class AccessLogStoreOnPostgresTests() : AccessLogStoreTests(StoreKind.Postgres);
