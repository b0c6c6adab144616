using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace DaemonNet.Collector.Storage.Postgres;

/// <summary>
/// The inventory in a PostgreSQL database, which several collectors can share: one writer
/// connection of this collector's, and pooled readers. The server's own files, space and backups
/// are its administrator's: the collector neither sees nor manages them.
/// </summary>
public sealed partial class PostgresDatabase : StoreDatabase
{
    private readonly NpgsqlDataSource dataSource;

    public PostgresDatabase(NpgsqlConnectionStringBuilder settings)
    {
        Name = $"the PostgreSQL database {settings.Database ?? "(the user's)"} on {settings.Host ?? "the local socket"}" +
               (settings.Port == NpgsqlConnection.DefaultPort ? "" : $" port {settings.Port}");
        dataSource = NpgsqlDataSource.Create(settings);
    }

    public override string Name { get; }

    public override string? LocalFolder => null;

    private readonly ConcurrentDictionary<string, string> adapted = new(StringComparer.Ordinal);

    public override string WithInLists(string statement) =>
        adapted.GetOrAdd(statement, s => InList().Replace(s, "= ANY(@$1)"));

    [GeneratedRegex(@"\bIN @(\w+)")]
    private static partial Regex InList();

    public override DbConnection OpenWriter()
    {
        var writer = dataSource.OpenConnection();
        try
        {
            PostgresSchema.Migrate(writer);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public override async ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Nothing to do: autovacuum makes the space of deleted rows reusable. Handing it back to the
    /// file system would take VACUUM FULL, which locks each table while it runs.
    /// </summary>
    public override void ReclaimSpace(DbConnection writer)
    {
    }

    public override long SizeInBytes()
    {
        using var connection = dataSource.OpenConnection();
        return connection.ExecuteScalar<long>("SELECT pg_database_size(current_database())");
    }

    public override void Dispose()
    {
        dataSource.Dispose();
        base.Dispose();
    }
}
