using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>What a test class of the store suite starts from: a store in a new database of the kind it runs on.</summary>
public abstract class StoreTests(StoreKind kind) : IDisposable
{
    private readonly TestStore file = new(kind);

    private protected TestDatabase Database => file.Database;

    protected Store Store => file.Store;

    protected Task Apply(HostSnapshot snapshot, DateTimeOffset at) => Store.Ingest.ApplySnapshotAsync(snapshot, at, CancellationToken.None);

    /// <summary>A value read straight from the database, beside the store.</summary>
    protected T Scalar<T>(string sql) => file.Scalar<T>(sql);

    public void Dispose()
    {
        file.Dispose();
        GC.SuppressFinalize(this);
    }
}
