using DaemonNet.Collector.Traffic;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The inventory in one SQLite file (WAL). Owns every SQL statement, one file per question:
/// Ingest, Where, History, Traffic, ClusterState and Retention; this one holds the file and its
/// connections. Writes go through one connection, ingest grouped into shared transactions; reads use pooled
/// connections of their own, which WAL lets run beside the writer.
/// </summary>
public sealed partial class SqliteInventoryStore : IInventoryStore, IDisposable
{
    private static readonly string[] FactTables = ["domains", "nics", "networks", "links", "bindings", "configured_interfaces"];

    private readonly string path;
    private readonly string connectionString;
    private readonly SqliteConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly GroupCommit groupCommit;
    private readonly Lazy<SqliteCommand> heartbeatCommand;
    private readonly IntervalRules rules;
    private readonly TrafficSampler sampler;

    private readonly Action<CommittedFacts>? committed;

    /// <param name="committed">Told, after each snapshot's commit and before the next write, what it opened and closed.</param>
    public SqliteInventoryStore(string path, IntervalRules rules, TrafficResolution? traffic = null, Action<CommittedFacts>? committed = null)
    {
        this.rules = rules;
        this.committed = committed;
        sampler = new TrafficSampler(traffic ?? TrafficResolution.Default);
        this.path = path;
        KeepPrivate(path);
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        writer = new SqliteConnection(connectionString);
        writer.Open();
        Schema.Migrate(writer);
        // WAL lets queries read while a snapshot is written; NORMAL sync keeps every committed
        // transaction across a process crash (only an OS crash can lose the last ones).
        writer.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;");
        groupCommit = new GroupCommit(writer, writeLock);
        heartbeatCommand = new(PrepareHeartbeat);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The history says which member's VM had which address when: only the collector may read it.
    /// A new folder is made 0700 and the database 0600 before SQLite opens it; SQLite gives its
    /// -wal and -shm files the database's mode. Files a looser earlier version made are tightened.
    /// </summary>
    private static void KeepPrivate(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            if ((File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }

    public long SizeInBytes => new[] { path, path + "-wal" }.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);

    public async Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            writer.Execute("INSERT INTO health_probe (id, at) VALUES (1, @At) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                new { At = now.ToUnixTimeMilliseconds() });
        }
        finally
        {
            writeLock.Release();
        }
    }

    public void Dispose()
    {
        groupCommit.Dispose();
        if (heartbeatCommand.IsValueCreated)
        {
            heartbeatCommand.Value.Dispose();
        }
        writer.Dispose();
        writeLock.Dispose();
    }

    // ---- Plumbing --------------------------------------------------------------------------

    private DynamicParameters When(DateTimeOffset now, DateTimeOffset? at, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("Now", now.ToUnixTimeMilliseconds());
        parameters.Add("At", (at ?? now).ToUnixTimeMilliseconds());
        parameters.Add("Current", at is null ? 1 : 0);
        parameters.Add("SilentAfterMs", rules.SilentAfter is { } silentAfter ? (long)silentAfter.TotalMilliseconds : null);
        return parameters;
    }

    private static DynamicParameters Merge(object first, object second)
    {
        var parameters = new DynamicParameters(first);
        parameters.AddDynamicParams(second);
        return parameters;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
