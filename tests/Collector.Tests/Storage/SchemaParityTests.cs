using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// The two schemas are migration lists of their own (Sqlite/SqliteSchema.cs,
/// Postgres/PostgresSchema.cs) but the store's one set of statements runs on both: they must hold
/// the same tables and columns, each as nullable, with the same kind of type. PostgreSQL's
/// change_log, which only shared databases need, is the one difference. Every fact table holds
/// exactly what its kind in the fact catalogue declares, which the writer's and readers'
/// statements are built from.
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
}
