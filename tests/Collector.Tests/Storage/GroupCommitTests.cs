using System.Data.Common;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using Dapper;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>Group commit on a real database of each kind: writes that wait share a transaction, and each is told only after it committed.</summary>
public abstract class GroupCommitTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase database;
    private readonly StoreDatabase store;
    private readonly StoreWriter writer;
    private readonly StoreKind kind;

    protected GroupCommitTests(StoreKind kind)
    {
        this.kind = kind;
        database = new TestDatabase(kind);
        store = StoreDatabase.At(database.Address);
        writer = new StoreWriter(store);
    }

    public Task InitializeAsync() => writer.RunAsync(() => writer.Connection.Execute("CREATE TABLE facts (name TEXT NOT NULL)"), CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        writer.Dispose();
        store.Dispose();
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    private int CommittedRows(string name)
    {
        using var reader = database.Open();
        return reader.ExecuteScalar<int>("SELECT count(*) FROM facts WHERE name = @Name", new { Name = name });
    }

    [Fact]
    public async Task WritesThatWaitedTogether_OneFails_TheOthersCommitInOrderAndLearnOnlyAfterTheCommit()
    {
        var order = new List<string>();
        using var commit = new GroupCommit(writer, rolledBack: () => order.Add("(rolled back)"));
        var seenCommitted = new List<bool>();
        Func<DbTransaction, Action?> Insert(string name, bool fail = false) => transaction =>
        {
            writer.Connection.Execute("INSERT INTO facts (name) VALUES (@Name)", new { Name = name }, transaction);
            order.Add(name);
            if (fail)
            {
                throw new InvalidOperationException($"{name} failed half-way");
            }
            return () => seenCommitted.Add(CommittedRows(name) == 1);
        };

        // Keeping the writer's thread busy lets all three queue up, so that it takes them as one batch.
        using var busy = new ManualResetEventSlim();
        var holding = writer.RunAsync(() => busy.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        var first = commit.WriteAsync(Insert("first"), CancellationToken.None);
        var broken = commit.WriteAsync(Insert("broken", fail: true), CancellationToken.None);
        var last = commit.WriteAsync(Insert("last"), CancellationToken.None);
        await Task.Delay(50);
        Assert.False(first.IsCompleted, "a write was acknowledged before its transaction could commit");
        busy.Set();
        Assert.True(await holding);

        await first;
        await last;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => broken);
        Assert.Equal("broken failed half-way", error.Message);
        // The batch was rolled back at the failure, which the store was told before its writes were
        // applied again, one transaction each.
        Assert.Equal(["first", "broken", "(rolled back)", "first", "broken", "(rolled back)", "last"], order);
        Assert.Equal([true, true], seenCommitted);
        Assert.Equal((1, 0, 1), (CommittedRows("first"), CommittedRows("broken"), CommittedRows("last")));
        Assert.Null(writer.LostBecause);
    }

    [Fact]
    public async Task ManyHostsAtOnce_EveryHeartbeatAndSnapshotIsStoredAndConfirmed()
    {
        using var store = new TestStore(kind);
        var hosts = Enumerable.Range(1, 200).Select(n => Snapshots.Host($"daemon{n:D3}", Snapshots.Vm($"vm{n}", n, DomainState.Running, Snapshots.NatNic($"52:54:00:00:{n / 256:x2}:{n % 256:x2}")))).ToList();

        await Task.WhenAll(hosts.Select(h => store.Apply(h, Snapshots.AgentClock)));
        var confirmed = await Task.WhenAll(hosts.Select(h => store.Store.Ingest.ConfirmHeartbeatAsync(
            new Heartbeat { HostName = h.Host.Name, ContentHash = Protos.Formats.ContentHash.Of(h) }, Snapshots.AgentClock.AddSeconds(10), CancellationToken.None)));

        Assert.All(confirmed, Assert.True);
        Assert.Equal(200, store.Scalar<int>("SELECT count(*) FROM domains WHERE valid_to IS NULL"));
        Assert.Equal(200, store.Scalar<int>($"SELECT count(*) FROM hosts WHERE last_report = {Snapshots.AgentClock.AddSeconds(10).ToUnixTimeMilliseconds()}"));
    }
}

public sealed class GroupCommitOnSqliteTests() : GroupCommitTests(StoreKind.Sqlite);

public sealed class GroupCommitOnPostgresTests() : GroupCommitTests(StoreKind.Postgres);
