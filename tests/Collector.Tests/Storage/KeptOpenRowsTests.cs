using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// The store keeps each host's open rows between snapshots. A batch that is rolled back must not
/// leave behind rows it never committed: on PostgreSQL, a name with a NUL character fails its
/// write (SQLite takes it), which rolls back every write that shared its transaction.
/// </summary>
public sealed class KeptOpenRowsTests : IDisposable
{
    private readonly TestStore store = new(StoreKind.Postgres);

    public void Dispose() => store.Dispose();

    [Fact]
    public async Task BatchRolledBack_TheWritesAppliedAgain_StoreWhatTheySaid()
    {
        var hosts = Enumerable.Range(1, 40).Select(n => $"daemon{n:D2}").ToList();
        await Task.WhenAll(hosts.Select((h, i) => store.Apply(Snapshots.Host(h, Snapshots.Vm($"web{i}", i)), Snapshots.AgentClock)));

        // Queued together, these share transactions; the one that fails rolls its batch back.
        var writes = hosts.Select((h, i) => store.Apply(
            Snapshots.Host(h, Snapshots.Vm(i == 20 ? "bro\0ken" : $"web{i}", i, DomainState.Shutoff)), Snapshots.AgentClock.AddSeconds(5))).ToList();
        await Assert.ThrowsAnyAsync<Exception>(() => writes[20]);
        await Task.WhenAll(writes.Where((_, i) => i != 20));

        Assert.Equal(39, store.Scalar<long>("SELECT count(*) FROM domains WHERE valid_to IS NULL AND state = 5"));
        Assert.Equal(1, store.Scalar<long>("SELECT count(*) FROM domains WHERE valid_to IS NULL AND state = 1"));
    }
}
