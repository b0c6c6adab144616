using System.Diagnostics;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Collector.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Copies a SQLite history into an empty PostgreSQL database, table by table with PostgreSQL's
/// binary COPY, in one transaction on each side: the copy is of one moment of the file, and the
/// database gets all of it or nothing. Row ids are kept (the intervals refer to their hosts by
/// id), and each table's id sequence is moved past them. Every table is counted on both sides
/// before the copy commits.
/// </summary>
public static class StoreMigration
{
    /// <summary>The tables in an order that keeps every reference valid.</summary>
    private static readonly string[] Tables =
    [
        "hosts", .. FactCatalogue.All.Select(k => k.Table), "host_silences",
        "link_counters", "link_traffic", "alerts", "alert_deliveries", "alert_conditions", "health_probe",
    ];

    public sealed record Copied(string Table, long Rows);

    /// <summary>Copies and checks; returns each table's row count.</summary>
    /// <exception cref="InvalidOperationException">With a sentence: no file there, a target that is not empty, counts that disagree.</exception>
    public static IReadOnlyList<Copied> Copy(string from, string to, Action<string> progress)
    {
        if (PostgresAddress.IsOne(from) || !File.Exists(from))
        {
            throw new InvalidOperationException($"there is no SQLite database at {from}: give the collector's --db file (default /var/lib/daemonnet/collector.db)");
        }
        if (!PostgresAddress.IsOne(to))
        {
            throw new InvalidOperationException($"'{to}' is not a PostgreSQL URI: write postgresql://user@host:port/dbname");
        }
        // Opening the file as the collector does brings it to this collector's schema first.
        using var sqlite = new SqliteDatabase(from);
        using var source = (SqliteConnection)sqlite.OpenWriter();
        var settings = PostgresAddress.Parse(to);
        // A table of millions of rows takes minutes to copy, index and count, far past a
        // statement's usual 30 s: the copy has no time limit but the admin's Ctrl-C.
        settings.CommandTimeout = 0;
        using var postgres = new PostgresDatabase(settings);
        using var target = (NpgsqlConnection)postgres.OpenWriter();
        if (target.ExecuteScalar<long>("SELECT count(*) FROM hosts") is > 0 and var hosts)
        {
            throw new InvalidOperationException($"{postgres.Name} already holds {hosts} hosts: migrate into an empty database");
        }
        using var reading = source.BeginTransaction();
        using var writing = target.BeginTransaction();
        var copied = new List<Copied>();
        foreach (var table in Tables)
        {
            var started = Stopwatch.GetTimestamp();
            var rows = CopyTable(source, reading, target, table);
            copied.Add(new Copied(table, rows));
            progress($"{table}: {rows} rows in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        }
        // Counted inside both transactions, before the commit: a copy that disagrees is not kept.
        foreach (var (table, rows) in copied)
        {
            var here = source.ExecuteScalar<long>($"SELECT count(*) FROM {table}", transaction: reading);
            var there = target.ExecuteScalar<long>($"SELECT count(*) FROM {table}", transaction: writing);
            if (here != rows || there != rows)
            {
                throw new InvalidOperationException($"{table} has {here} rows in {from} but {there} in {postgres.Name} after the copy");
            }
        }
        writing.Commit();
        return copied;
    }

    private static long CopyTable(SqliteConnection source, SqliteTransaction reading, NpgsqlConnection target, string table)
    {
        var columns = target.Query<(string Name, string Type, bool Identity)>(
            """
            SELECT column_name, data_type, is_identity = 'YES' FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @Table ORDER BY ordinal_position
            """, new { Table = table }).AsList();
        var names = string.Join(", ", columns.Select(c => c.Name));
        long rows = 0;
        using (var importer = target.BeginBinaryImport($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"))
        using (var command = source.CreateCommand())
        {
            command.Transaction = reading;
            command.CommandText = $"SELECT {names} FROM {table}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                importer.StartRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (reader.IsDBNull(i))
                    {
                        importer.WriteNull();
                    }
                    else
                    {
                        Write(importer, reader, i, columns[i].Type);
                    }
                }
                rows++;
            }
            importer.Complete();
        }
        foreach (var (name, _, _) in columns.Where(c => c.Identity))
        {
            target.Execute($"SELECT setval(pg_get_serial_sequence('{table}', '{name}'), coalesce(max({name}), 0) + 1, false) FROM {table}");
        }
        return rows;
    }

    private static void Write(NpgsqlBinaryImporter importer, SqliteDataReader reader, int column, string type)
    {
        switch (type)
        {
            case "bigint":
                importer.Write(reader.GetInt64(column), NpgsqlDbType.Bigint);
                break;
            case "integer":
                importer.Write(reader.GetInt32(column), NpgsqlDbType.Integer);
                break;
            case "bytea":
                importer.Write((byte[])reader.GetValue(column), NpgsqlDbType.Bytea);
                break;
            case "text":
                importer.Write(reader.GetString(column), NpgsqlDbType.Text);
                break;
            default:
                throw new InvalidOperationException($"the copy does not know PostgreSQL's type {type}");
        }
    }
}
