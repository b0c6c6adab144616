using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>A real store in a database of its own (<see cref="TestDatabase"/>); disposing removes both.</summary>
internal sealed class TestStore : IDisposable
{
    public TestStore(StoreKind kind, IntervalRules? rules = null)
    {
        Database = new TestDatabase(kind);
        Store = new Store(Database.Address, rules ?? IntervalRules.Default);
    }

    public TestDatabase Database { get; }

    public Store Store { get; }

    public Task Apply(HostSnapshot snapshot, DateTimeOffset at) => Store.Ingest.ApplySnapshotAsync(snapshot, at, CancellationToken.None);

    /// <summary>A value read straight from the database, beside the store.</summary>
    public T Scalar<T>(string sql) => Database.Scalar<T>(sql);

    public void Dispose()
    {
        Store.Dispose();
        Database.Dispose();
    }
}
