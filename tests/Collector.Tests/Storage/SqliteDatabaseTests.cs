using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Storage.Sqlite;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>What only the SQLite file has: its schema version, WAL mode and private file modes.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly TempDirectory folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    private static HostSnapshot Daemon1() => Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")));

    private T Scalar<T>(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        return connection.ExecuteScalar<T>(sql)!;
    }

    [Fact]
    public async Task Open_NewFile_HasTheCurrentSchemaVersionInWalMode()
    {
        var path = folder.File("collector.db");
        using (var store = new Store(path, IntervalRules.Default))
        {
            Assert.Equal(SqliteSchema.Version, Scalar<long>(path, "PRAGMA user_version"));
            Assert.Equal("wal", Scalar<string>(path, "PRAGMA journal_mode"));
            await store.Ingest.ApplySnapshotAsync(Daemon1(), T0, CancellationToken.None);
        }

        using var reopened = new Store(path, IntervalRules.Default);

        Assert.Single((await reopened.Where.WhereAsync(InventoryQuery.Parse("web1"), T0, null, CancellationToken.None)).Vms);
    }

    [Fact]
    public void Open_DatabaseFromANewerCollector_RefusesWithAClearMessage()
    {
        var path = folder.File("newer.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            connection.Execute("PRAGMA user_version = 99");
        }

        var error = Assert.Throws<InvalidOperationException>(() => new Store(path, IntervalRules.Default));

        Assert.Contains("schema version 99, newer than this collector's", error.Message);
    }

    [Fact]
    public async Task NewDatabase_FolderAndFiles_AreReadableByTheCollectorAlone()
    {
        var path = Path.Combine(folder.Path, "state", "collector.db");
        using (var fresh = new Store(path, IntervalRules.Default))
        {
            await fresh.Ingest.ApplySnapshotAsync(Daemon1(), T0, CancellationToken.None);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            Assert.All(new[] { path, path + "-wal", path + "-shm" }, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        }
    }

    [Fact]
    public void ExistingWorldReadableDatabase_IsTightenedWhenOpened()
    {
        var path = folder.File("old.db");
        File.WriteAllBytes(path, []);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var opened = new Store(path, IntervalRules.Default);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Prune_GivesTheSpaceBackToTheFileSystem()
    {
        var path = folder.File("collector.db");
        using (var store = new Store(path, IntervalRules.Default))
        {
            await ShortLivedBindings.Report((snapshot, at) => store.Ingest.ApplySnapshotAsync(snapshot, at, CancellationToken.None), T0);
        }
        using (var checkpoint = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            checkpoint.Open();
            await checkpoint.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        var sizeBefore = new FileInfo(path).Length;
        using var reopened = new Store(path, IntervalRules.Default);

        Assert.Equal(ShortLivedBindings.Count, await reopened.Retention.PruneAsync(T0.AddSeconds(1001), CancellationToken.None));

        Assert.True(new FileInfo(path).Length < sizeBefore / 2, $"the file should shrink: {sizeBefore} bytes before, {new FileInfo(path).Length} after");
    }
}
