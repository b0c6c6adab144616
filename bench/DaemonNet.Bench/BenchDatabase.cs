using System.Data.Common;
using DaemonNet.Collector.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DaemonNet.Bench;

/// <summary>A connection straight to a benchmark's database, a SQLite file or a PostgreSQL URI, beside the store.</summary>
internal static class BenchDatabase
{
    public static DbConnection Open(string address)
    {
        DbConnection connection = PostgresAddress.IsOne(address)
            ? new NpgsqlConnection(PostgresAddress.Parse(address).ConnectionString)
            : new SqliteConnection($"Data Source={address}");
        connection.Open();
        return connection;
    }
}
