using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// The two schemas are written apart (Sqlite/SqliteSchema.cs, Postgres/PostgresSchema.cs) but the
/// store's one set of statements runs on both: they must hold the same tables and columns, each
/// as nullable, with the same kind of type. PostgreSQL's change_log, which only shared databases
/// need, is the one difference.
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

    [Fact]
    public void BothSchemas_HaveTheSameTablesAndColumns()
    {
        using (new InventoryStore(sqlite.Address, IntervalRules.Default))
        using (new InventoryStore(postgres.Address, IntervalRules.Default))
        {
        }

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
