using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.V1;
using Alert = DaemonNet.Collector.Alerting.Alert;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// Issue 25, fault 3: an event alert was recorded after its commit, not with it. The store now
/// keeps each commit's changes in an outbox row written in the commit's own transaction, and the
/// row is consumed in the transaction that records its alerts: once, on both stores.
/// </summary>
public abstract class AlertOutboxTests : IDisposable
{
    private readonly TestDatabase database;
    private readonly Store store;

    protected AlertOutboxTests(StoreKind kind)
    {
        database = new TestDatabase(kind);
        store = new Store(database.Address, IntervalRules.Default, listener: new ChangeFeed());
    }

    public void Dispose()
    {
        store.Dispose();
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Alert Announcing(string key) =>
        new("mac-first-seen", DaemonNet.Collector.Audit.Severity.Info, AgentClock.ToUnixTimeMilliseconds(), key, "nothing");

    private static NewAlert Raise(string key) => AlertDocument.New(Announcing(key), key, TimeSpan.FromMinutes(5), ["ops"]);

    [Fact]
    public async Task Snapshot_ThatChangesSomething_LeavesItsChangesInTheOutboxWithItsCommit()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")));

        await store.Ingest.ApplySnapshotAsync(snapshot, AgentClock, CancellationToken.None);
        await store.Ingest.ApplySnapshotAsync(snapshot, AgentClock.AddSeconds(10), CancellationToken.None);

        var row = Assert.Single(await store.Alerts.PendingChangesAsync(10, CancellationToken.None));
        var changes = ChangeEvents.Decode(row.Events);
        Assert.Equal([ChangeKind.VmDefined, ChangeKind.NicAdded], changes.Select(c => c.Kind));
        Assert.Equal(("web1", "52:54:00:aa:00:01", "nat-bridge"), (changes[0].VmName, changes[1].Nic!.Mac, changes[1].Nic!.Network));
        Assert.Equal(AgentClock.ToUnixTimeMilliseconds(), changes[0].At);
    }

    [Fact]
    public async Task HostReturningFromASilence_ItsChangesAreWhatDiffersFromBefore()
    {
        // Found by the soak: a return from a silence used to raise no events at all, so a MAC first
        // seen in that snapshot was never announced, and later snapshots found it seen before.
        await store.Ingest.ApplySnapshotAsync(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01"))), AgentClock, CancellationToken.None);
        foreach (var row in await store.Alerts.PendingChangesAsync(10, CancellationToken.None))
        {
            await store.Alerts.RecordAsync(new AlertBatch([]) { Consumes = row.Id }, CancellationToken.None);
        }

        // Silent for longer than three 10 s intervals; meanwhile db1 appeared and web1 stopped.
        await store.Ingest.ApplySnapshotAsync(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01")),
            Vm("db1", 2, DomainState.Running, NatNic("52:54:00:aa:00:02"))), AgentClock.AddMinutes(5), CancellationToken.None);

        var changes = ChangeEvents.Decode(Assert.Single(await store.Alerts.PendingChangesAsync(10, CancellationToken.None)).Events);
        Assert.Equal(
            [(ChangeKind.VmChanged, "web1", ""), (ChangeKind.VmDefined, "db1", ""), (ChangeKind.NicAdded, "db1", "52:54:00:aa:00:02")],
            changes.Select(c => (c.Kind, c.VmName, c.Mac)));
        Assert.Equal((long)DomainState.Running, changes[0].PreviousState);
    }

    [Fact]
    public async Task Record_ConsumingAnOutboxRow_RecordsItsAlertsOnceOnly()
    {
        await store.Ingest.ApplySnapshotAsync(Host("daemon1", Vm("web1", 1)), AgentClock, CancellationToken.None);
        var row = Assert.Single(await store.Alerts.PendingChangesAsync(10, CancellationToken.None));

        var first = await store.Alerts.RecordAsync(new AlertBatch([Raise("a")]) { Consumes = row.Id }, CancellationToken.None);
        var again = await store.Alerts.RecordAsync(new AlertBatch([Raise("b")]) { Consumes = row.Id }, CancellationToken.None);

        Assert.Equal("a", AlertDocument.Read(Assert.Single(first!)).Summary);
        Assert.Empty(again!);
        Assert.Empty(await store.Alerts.PendingChangesAsync(10, CancellationToken.None));
        Assert.Equal(1, database.Scalar<long>("SELECT count(*) FROM alerts"));
    }

    [Fact]
    public async Task Record_ConditionsStartedAndEnded_AreKeptWithTheirAlertsInOneTransaction()
    {
        var announcing = Announcing("host-stale|daemon1");

        await store.Alerts.RecordAsync(new AlertBatch([Raise("host-stale|daemon1")])
        {
            ConditionsStarted = new Dictionary<string, (byte[], long)>(StringComparer.Ordinal) { ["host-stale|daemon1"] = (AlertDocument.Write(announcing), announcing.At) },
        }, CancellationToken.None);
        var open = await store.Alerts.OpenConditionsAsync(CancellationToken.None);
        await store.Alerts.RecordAsync(new AlertBatch([Raise("end|host-stale|daemon1")]) { ConditionsEnded = ["host-stale|daemon1"] }, CancellationToken.None);

        Assert.Equal(["host-stale|daemon1"], open.Keys, StringComparer.Ordinal);
        Assert.True(open["host-stale|daemon1"].Announced);
        Assert.Empty(await store.Alerts.OpenConditionsAsync(CancellationToken.None));
        Assert.Equal(2, database.Scalar<long>("SELECT count(*) FROM alerts"));
    }

    /// <summary>Found by the 30-minute soak, seed 11 on SQLite: a condition that came back within the dedup window ended with an alert whose start no receiver had seen.</summary>
    [Fact]
    public async Task Record_ConditionStartCountedAsARepeat_IsKeptAsNotAnnounced()
    {
        var announcing = Announcing("finding|tunnel-unconfigured|Info|daemon7/he0");
        AlertBatch Start() => new([Raise("finding|tunnel-unconfigured|Info|daemon7/he0")])
        {
            ConditionsStarted = new Dictionary<string, (byte[], long)>(StringComparer.Ordinal)
            {
                ["finding|tunnel-unconfigured|Info|daemon7/he0"] = (AlertDocument.Write(announcing), announcing.At),
            },
        };

        await store.Alerts.RecordAsync(Start(), CancellationToken.None);
        await store.Alerts.RecordAsync(new AlertBatch([Raise("end|finding|tunnel-unconfigured|Info|daemon7/he0")]) { ConditionsEnded = ["finding|tunnel-unconfigured|Info|daemon7/he0"] }, CancellationToken.None);
        var again = await store.Alerts.RecordAsync(Start(), CancellationToken.None);
        var open = await store.Alerts.OpenConditionsAsync(CancellationToken.None);

        Assert.Empty(again!);
        Assert.False(open["finding|tunnel-unconfigured|Info|daemon7/he0"].Announced);
    }
}

public sealed class AlertOutboxOnSqliteTests() : AlertOutboxTests(StoreKind.Sqlite);

public sealed class AlertOutboxOnPostgresTests() : AlertOutboxTests(StoreKind.Postgres);
