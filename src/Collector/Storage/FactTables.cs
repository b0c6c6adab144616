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
    /// <summary>What makes <paramref name="kind"/>'s table whole, given the columns it has now (none: no table).</summary>
    public IEnumerable<string> Statements(FactKind kind, IReadOnlySet<string> columns)
    {
        if (columns.Count == 0)
        {
            yield return Create(kind);
        }
        foreach (var column in kind.Columns.Where(c => columns.Count > 0 && !columns.Contains(c.Name)))
        {
            yield return $"ALTER TABLE {kind.Table} ADD COLUMN {Column(column)}{(column.Nullable ? "" : column.Type == ColumnType.Integer ? " DEFAULT 0" : " DEFAULT ''")}";
        }
        yield return kind.GroupColumn is null && openRowsOnly
            ? $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_host ON {kind.Table}(host_id) WHERE valid_to IS NULL"
            : $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_host ON {kind.Table}(host_id{(kind.GroupColumn is { } group ? ", " + group : "")}, valid_to)";
        foreach (var lookup in kind.Lookups)
        {
            yield return $"CREATE INDEX IF NOT EXISTS {kind.Table}_by_{lookup.Name} ON {kind.Table}({lookup.Expression}, valid_to)";
        }
    }

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
