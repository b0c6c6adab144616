using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The fact tables as the catalogue declares them, in one engine's SQL. When the store opens, after
/// the versioned migrations, a kind without a table gets one, a column the catalogue declares and
/// the table lacks is added (empty, or NULL when it may be, in the rows already there), and every
/// index is made if it is not there. The migrations made the first kinds' tables; every kind and
/// column since comes from its declaration alone.
/// </summary>
/// <param name="idType">The id column's type, primary key included.</param>
/// <param name="textType">A text column's type.</param>
/// <param name="integerType">An integer column's type.</param>
/// <param name="openRowsOnly">Whether the by-host index of a kind without groups holds only the open rows (the writer's lookup).</param>
internal sealed class FactTables(string idType, string textType, string integerType, bool openRowsOnly)
{
    /// <summary>
    /// Makes every kind's table whole. <paramref name="columnsOf"/> reads a table's columns (none
    /// when there is no such table); <paramref name="execute"/> runs one statement.
    /// </summary>
    public void MakeAll(Func<string, IReadOnlySet<string>> columnsOf, Action<string> execute)
    {
        foreach (var kind in FactCatalogue.All)
        {
            foreach (var statement in Statements(kind, columnsOf(kind.Table)))
            {
                execute(statement);
            }
        }
    }

    private IEnumerable<string> Statements(FactKind kind, IReadOnlySet<string> columns)
    {
        if (columns.Count == 0)
        {
            yield return Create(kind);
        }
        else
        {
            foreach (var column in kind.Columns.Where(c => !columns.Contains(c.Name)))
            {
                yield return $"ALTER TABLE {kind.Table} ADD COLUMN {Column(column)}{Default(column)}";
            }
        }
        yield return HostIndex(kind);
        foreach (var lookup in kind.Lookups)
        {
            yield return $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_{lookup.Name} ON {kind.Table}({lookup.Expression}, valid_to)";
        }
    }

    private string HostIndex(FactKind kind) => kind.GroupColumn is { } group
        ? $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_host ON {kind.Table}(host_id, {group}, valid_to)"
        : openRowsOnly
            ? $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_host ON {kind.Table}(host_id) WHERE valid_to IS NULL"
            : $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_host ON {kind.Table}(host_id, valid_to)";

    /// <summary>What the rows already there hold in a column added now.</summary>
    private static string Default(FactColumn column) =>
        column.Nullable ? "" : column.Type == ColumnType.Integer ? " DEFAULT 0" : " DEFAULT ''";

    private string Create(FactKind kind) =>
        $"""
        CREATE TABLE {kind.Table} (
            id {idType},
            host_id {integerType} NOT NULL REFERENCES hosts(id),
            {string.Join(",\n    ", kind.Columns.Select(Column))},
            valid_from {integerType} NOT NULL,
            valid_to {integerType}
        )
        """;

    private string Column(FactColumn column) =>
        $"{column.Name} {(column.Type == ColumnType.Integer ? integerType : textType)}{(column.Nullable ? "" : " NOT NULL")}";
}
