using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage.Sqlite;

/// <summary>
/// The inventory in one SQLite file in WAL mode: one writer connection, and pooled readers that
/// WAL lets run beside it. The file and its folder are private to the collector's user.
/// </summary>
public sealed partial class SqliteDatabase : StoreDatabase
{
    private readonly string path;
    private readonly string connectionString;

    public SqliteDatabase(string path)
    {
        this.path = path;
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
    }

    public override string Name => $"the SQLite file {Path.GetFullPath(path)}";

    public override string? LocalFolder => Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";

    public override DbConnection OpenWriter()
    {
        KeepPrivate(path);
        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            SqliteSchema.Migrate(writer);
            // WAL lets queries read while a snapshot is written; NORMAL sync keeps every committed
            // transaction across a process crash (only an OS crash can lose the last ones).
            writer.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;");
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public override async ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // Queries read the file through memory mapped pages: an answer that crosses hundreds of
        // hosts reads pages no connection's cache holds, and a mapped page costs no system call.
        await connection.ExecuteAsync(MapForReading);
        return connection;
    }

    /// <summary>SQLite maps at most this much (its own ceiling is 2 GiB unless built otherwise); pages beyond are read as usual.</summary>
    private const string MapForReading = "PRAGMA mmap_size = 2147483648";

    private readonly ConcurrentDictionary<string, string> adapted = new(StringComparer.Ordinal);

    public override string WithInLists(string statement) =>
        adapted.GetOrAdd(statement, s => InListParameter().Replace(s, "IN (SELECT value FROM json_each(@${name}))"));

    public override object InList<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values.ToArray());

    [GeneratedRegex(@"\bIN @(?<name>\w+)", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex InListParameter();

    /// <summary>Gives the freed pages back to the file system; the checkpoint first moves them out of the WAL.</summary>
    public override void ReclaimSpace(DbConnection writer)
    {
        writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
        writer.Execute("PRAGMA incremental_vacuum", commandType: CommandType.Text);
        writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
    }

    /// <summary>The file with its write-ahead log.</summary>
    public override long SizeInBytes() =>
        new[] { path, path + "-wal" }.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);

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
            if ((File.GetUnixFileMode(file) & ~OwnerOnly) != UnixFileMode.None)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }
}
