using System.Data.Common;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The two databases the store runs on; the storage tests run against each.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// An empty database for one test: a SQLite file in a temporary folder, or a new database on this
/// test process's PostgreSQL server. Disposing removes it.
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly TempDirectory? folder;

    public TestDatabase(StoreKind kind)
    {
        Kind = kind;
        if (kind == StoreKind.Sqlite)
        {
            folder = new TempDirectory();
            Address = folder.File("collector.db");
        }
        else
        {
            Address = PostgresServer.Shared.CreateDatabase();
        }
    }

    public StoreKind Kind { get; }

    /// <summary>The file's path or the PostgreSQL URI: what the store and the collector's --db take.</summary>
    public string Address { get; }

    /// <summary>A connection straight to the database, beside the store.</summary>
    public DbConnection Open()
    {
        DbConnection connection = Kind == StoreKind.Sqlite
            ? new SqliteConnection($"Data Source={Address}")
            : new NpgsqlConnection(PostgresAddress.Parse(Address).ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A value read straight from the database.</summary>
    public T Scalar<T>(string sql)
    {
        using var connection = Open();
        return connection.ExecuteScalar<T>(sql)!;
    }

    /// <summary>Rows read straight from the database.</summary>
    public List<T> Query<T>(string sql)
    {
        using var connection = Open();
        return connection.Query<T>(sql).AsList();
    }

    public void Dispose()
    {
        if (folder is not null)
        {
            SqliteConnection.ClearAllPools();
            folder.Dispose();
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
            PostgresServer.Shared.DropDatabase(Address);
        }
    }
}
