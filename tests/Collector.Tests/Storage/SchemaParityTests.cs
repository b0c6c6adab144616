using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Collector.Storage.Sqlite;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// The two schemas are migration lists of their own (Sqlite/SqliteSchema.cs,
/// Postgres/PostgresSchema.cs) but the store's one set of statements runs on both: they must hold
/// the same tables and columns, each as nullable, with the same kind of type. PostgreSQL's
/// change_log, which only shared databases need, is the one difference. Every fact table holds
/// exactly what its kind in the fact catalogue declares, which the writer's and readers'
/// statements are built from, and the catalogue alone makes the same tables the migrations made.
/// </summary>
public sealed class SchemaParityTests : IDisposable
{
    private readonly TestDatabase sqlite = new(StoreKind.Sqlite);
    private readonly TestDatabase postgres = new(StoreKind.Postgres);

    public void Dispose()
    {
        sqlite.Dispose();
        postgres.Dispose();
    }

    private void Migrate()
    {
        using (new Store(sqlite.Address, IntervalRules.Default))
        using (new Store(postgres.Address, IntervalRules.Default))
        {
        }
    }

    [Fact]
    public void FactTables_HoldWhatTheCatalogueDeclares_OnBothEngines()
    {
        Migrate();
        foreach (var kind in FactCatalogue.All)
        {
            var declared = new[] { "id integer not null", "host_id integer not null" }
                .Concat(kind.Columns.Select(c => $"{c.Name} {(c.Type == ColumnType.Integer ? "integer" : "text")}{(c.Nullable ? "" : " not null")}"))
                .Concat(["valid_from integer not null", "valid_to integer"]).Order(StringComparer.Ordinal).ToList();
            var inSqlite = sqlite.Query<string>(
                $"""
                SELECT c.name || ' ' || CASE WHEN c.type = 'INTEGER' THEN 'integer' ELSE 'text' END || CASE WHEN c."notnull" = 1 OR c.pk = 1 THEN ' not null' ELSE '' END
                FROM pragma_table_info('{kind.Table}') c
                """).Order(StringComparer.Ordinal).ToList();
            var inPostgres = postgres.Query<string>(
                $"""
                SELECT column_name || ' ' || CASE data_type WHEN 'bigint' THEN 'integer' ELSE 'text' END || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
                FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{kind.Table}'
                """).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(declared, inSqlite);
            Assert.Equal(declared, inPostgres);
        }
    }

    [Fact]
    public void BothSchemas_HaveTheSameTablesAndColumns()
    {
        Migrate();

        var inSqlite = sqlite.Query<string>(
            """
            SELECT m.name || '.' || c.name || ' ' || CASE WHEN c.type = 'INTEGER' THEN 'integer' WHEN c.type = 'BLOB' THEN 'bytes' ELSE 'text' END
                   || CASE WHEN c."notnull" = 1 OR c.pk = 1 THEN ' not null' ELSE '' END
            FROM sqlite_master m JOIN pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            ORDER BY 1
            """);
        var inPostgres = postgres.Query<string>(
            """
            SELECT table_name || '.' || column_name || ' ' || CASE data_type WHEN 'bigint' THEN 'integer' WHEN 'bytea' THEN 'bytes' ELSE 'text' END
                   || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name NOT IN ('schema_version', 'change_log')
            ORDER BY 1
            """);

        Assert.True(inSqlite.Count > 100, $"only {inSqlite.Count} columns read from SQLite");
        Assert.Equal(inSqlite, inPostgres);
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public void FactTables_MadeFromTheCatalogueAlone_AreTheTablesTheMigrationsMade(StoreKind kind)
    {
        Migrate();
        var migrated = kind == StoreKind.Sqlite ? sqlite : postgres;
        using var fromCatalogue = new TestDatabase(kind);
        using (var connection = fromCatalogue.Open())
        {
            if (connection is SqliteConnection sqliteConnection)
            {
                sqliteConnection.Execute("CREATE TABLE hosts (id INTEGER PRIMARY KEY)");
                SqliteSchema.MakeFactTables(sqliteConnection);
            }
            else
            {
                var postgresConnection = (NpgsqlConnection)connection;
                postgresConnection.Execute("CREATE TABLE hosts (id bigint PRIMARY KEY)");
                using var transaction = postgresConnection.BeginTransaction();
                PostgresSchema.MakeFactTables(postgresConnection, transaction);
                transaction.Commit();
            }
        }

        foreach (var fact in FactCatalogue.All)
        {
            var expected = Shape(migrated, fact.Table);
            Assert.Equal(expected, Shape(fromCatalogue, fact.Table));
            Assert.Contains(expected, line => line.StartsWith("index ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public void AColumnTheCatalogueDeclares_MissingFromItsTable_IsAddedEmptyInTheRowsBefore(StoreKind kind)
    {
        using var database = new TestDatabase(kind);
        using (new Store(database.Address, IntervalRules.Default))
        {
        }
        using (var connection = database.Open())
        {
            // A database from before the column: a labelled VM without tags.
            connection.Execute(
                """
                ALTER TABLE vm_labels DROP COLUMN tags;
                INSERT INTO hosts (id, name, machine_id, agent_version, kernel, interval_ms, content_hash, errors, first_report, last_report)
                VALUES (1, 'daemon1', '', '', '', 0, '', '', 0, 0);
                INSERT INTO vm_labels (host_id, domain_uuid, title, description, owner, valid_from) VALUES (1, 'u1', '', '', 'alice', 0);
                """);
        }

        using (new Store(database.Address, IntervalRules.Default))
        {
        }

        Assert.Equal("alice|", database.Scalar<string>("SELECT owner || '|' || tags FROM vm_labels"));
        Assert.Contains(Shape(database, "vm_labels"), line => line.StartsWith("tags text", StringComparison.Ordinal) && line.EndsWith(" not null", StringComparison.Ordinal));
    }

    /// <summary>A table's columns (name, type, whether NULL may be in it) and its indexes, each as one line, in order.</summary>
    private static List<string> Shape(TestDatabase database, string table)
    {
        var lines = database.Kind == StoreKind.Sqlite
            ? database.Query<string>(
                $"""
                SELECT c.name || ' ' || lower(c.type) || CASE WHEN c."notnull" = 1 OR c.pk = 1 THEN ' not null' ELSE '' END FROM pragma_table_info('{table}') c
                UNION ALL
                SELECT 'index ' || replace(replace(sql, 'IF NOT EXISTS ', ''), char(10), ' ') FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' AND sql IS NOT NULL
                """)
            : database.Query<string>(
                $"""
                SELECT column_name || ' ' || data_type || coalesce(' ' || collation_name, '') || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
                       || CASE WHEN is_identity = 'YES' THEN ' identity' ELSE '' END
                FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}'
                UNION ALL
                SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '{table}'
                """);
        return [.. lines.Order(StringComparer.Ordinal)];
    }
}
