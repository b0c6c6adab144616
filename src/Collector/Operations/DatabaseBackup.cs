using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// A consistent copy of the database while the collector runs: SQLite's VACUUM INTO writes one
/// read transaction's view of the whole file (WAL lets the collector keep writing meanwhile), compacted.
/// The copy is then opened and checked (integrity_check) before it is called good.
/// </summary>
public static class DatabaseBackup
{
    /// <summary>Copies <paramref name="db"/> to <paramref name="to"/>, a new file; returns the copy's size in bytes.</summary>
    /// <exception cref="InvalidOperationException">With a sentence: no database there, the target exists, or the copy is damaged.</exception>
    public static long Copy(string db, string to)
    {
        if (Storage.Postgres.PostgresAddress.IsOne(db))
        {
            throw new InvalidOperationException(
                "the database is PostgreSQL: back it up with PostgreSQL's own tools, e.g. pg_dump --format=custom --dbname=URI --file=FILE (docs/CONFIGURATION.md, \"PostgreSQL\")");
        }
        if (!File.Exists(db))
        {
            throw new InvalidOperationException($"there is no database at {db}: give the collector's --db (default /var/lib/daemonnet/collector.db)");
        }
        if (File.Exists(to))
        {
            throw new InvalidOperationException($"{to} exists: a backup never overwrites a file; give a new name or remove it first");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(to)) ?? "/";
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"the folder {folder} does not exist");
        }
        // The history is private: the copy is readable by its owner only, from its first byte.
        using (new FileStream(to, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
        }
        try
        {
            using (var source = Open(db, SqliteOpenMode.ReadWrite))
            {
                source.Execute("VACUUM INTO @To", new { To = Path.GetFullPath(to) });
            }
            using (var copy = Open(to, SqliteOpenMode.ReadOnly))
            {
                var integrity = string.Join("; ", copy.Query<string>("PRAGMA integrity_check"));
                if (integrity != "ok")
                {
                    throw new InvalidOperationException($"the copy at {to} fails SQLite's integrity check: {integrity}");
                }
            }
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            File.Delete(to);
            throw;
        }
        SqliteConnection.ClearAllPools();
        return new FileInfo(to).Length;
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, DefaultTimeout = 60 }.ToString());
        connection.Open();
        // The collector's writer holds its lock only for one snapshot at a time: wait for it rather than fail.
        connection.Execute("PRAGMA busy_timeout = 60000");
        return connection;
    }
}
