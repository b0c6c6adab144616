using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>A real store in a SQLite file of its own temporary folder; disposing removes both.</summary>
internal sealed class StoreFile : IDisposable
{
    private readonly TempDirectory folder = new();

    public StoreFile() => Store = new SqliteInventoryStore(Path, IntervalRules.Default);

    public SqliteInventoryStore Store { get; }

    public string Path => folder.File("collector.db");

    public Task Apply(HostSnapshot snapshot, DateTimeOffset at) => Store.ApplySnapshotAsync(snapshot, at, CancellationToken.None);

    /// <summary>A value read straight from the file, beside the store.</summary>
    public T Scalar<T>(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path}");
        return connection.ExecuteScalar<T>(sql)!;
    }

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }
}
