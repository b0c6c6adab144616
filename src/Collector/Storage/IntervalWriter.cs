using System.Collections.Concurrent;
using System.Data.Common;
using DaemonNet.Collector.Facts;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Writes one host's stated facts as intervals, inside the ingest writer's transaction, for any
/// kind of the <see cref="FactCatalogue"/>: the facts are compared with the host's open rows (kept
/// between snapshots, or read once), and rows are opened, closed, updated in place or rejoined
/// through statements built from the kind's declaration. What watchers follow goes to
/// <see cref="CommittedFacts"/>.
/// </summary>
internal sealed class IntervalWriter(WriteScope scope) : IFactWriter
{
    /// <summary>
    /// Each kind's statements, built once from its declaration: a prepared statement is found by
    /// its text, for every row.
    /// </summary>
    private sealed class Statements(FactKind kind)
    {
        public string SelectOpen { get; } = $"SELECT id, {kind.Select(kind.Table)} FROM {kind.Table} WHERE host_id = @HostId AND valid_to IS NULL";

        public string FirstColumn { get; } = kind.Columns[0].Property;

        public string InsertReturning { get; } =
            $"INSERT INTO {kind.Table} (host_id, {kind.ColumnNames}, valid_from) VALUES (@HostId, {kind.Parameters}, @Now) RETURNING id, {kind.Select(kind.Table)}";

        public string CloseOne { get; } = $"UPDATE {kind.Table} SET valid_to = @Now{kind.ClosingAlso} WHERE id = @Id RETURNING id, {kind.Select(kind.Table)}";

        public string CloseMany { get; } = $"UPDATE {kind.Table} SET valid_to = @Now{kind.ClosingAlso} WHERE id IN @Ids RETURNING id, {kind.Select(kind.Table)}";

        // A rejoined row opens again.
        public string? Update { get; } = kind.ChangedInPlace.Count == 0 ? null
            : $"UPDATE {kind.Table} SET {string.Join(", ", kind.ChangedInPlace.Select(c => $"{c} = @{kind.Columns.Single(k => k.Name == c).Property}"))}"
              + $"{(kind.Rejoins ? ", valid_to = NULL" : "")} WHERE id = @Id";
    }

    private static readonly ConcurrentDictionary<FactKind, Statements> Built = new();

    private static Statements Of(FactKind kind) => Built.GetOrAdd(kind, k => new Statements(k));

    /// <summary>Every kind's open rows of one host in one command: one round trip to PostgreSQL instead of one per table.</summary>
    private static readonly string AllOpenRows = string.Join(";\n", FactCatalogue.All.Select(kind => Of(kind).SelectOpen));

    public void Write<T>(FactKind<T> kind, long group, IReadOnlyList<T> facts)
        where T : notnull
    {
        var changes = Apply(kind, group, facts);
        if (kind.Watched is { } watched)
        {
            watched(scope.Committed, scope.EventsBaseline is { } baseline ? Since(baseline, kind, group, facts) : changes);
        }
    }

    /// <summary>
    /// For a host back from a silence, whose rows were all closed and opened again: what differs from
    /// the rows it had open before the silence, which is what watchers are to hear of.
    /// </summary>
    private static Changes<T> Since<T>(OpenRows before, FactKind<T> kind, long group, IReadOnlyList<T> facts)
        where T : notnull
    {
        var was = before.Facts<T>(group);
        var diff = IntervalDiff.Compute([.. was.Select(row => IntervalDiff.Keep(row, kind.KeyHash))], facts, kind.KeyHash);
        var closed = diff.Close.ToHashSet();
        var changes = new Changes<T>();
        changes.Closed.AddRange(was.Where(row => closed.Contains(row.Id)));
        changes.Opened.AddRange(diff.Open);
        changes.Updated.AddRange(diff.Update);
        return changes;
    }

    /// <summary>
    /// The host's open rows of every kind. Unless the ingest writer kept them from the host's last
    /// snapshot, they are read in one command; <paramref name="withFacts"/> keeps the facts too.
    /// </summary>
    public static OpenRows Read(DbConnection connection, DbTransaction transaction, long hostId, bool withFacts)
    {
        using var grid = connection.QueryMultiple(AllOpenRows, new { HostId = hostId }, transaction);
        var open = new OpenRows(withFacts);
        var reader = new OpenRowsReader(grid, open);
        foreach (var kind in FactCatalogue.All)
        {
            kind.Accept(reader);
        }
        return open;
    }

    /// <summary>Reads each kind's result set of <see cref="AllOpenRows"/> in turn, into the host's open rows by group.</summary>
    private sealed class OpenRowsReader(SqlMapper.GridReader grid, OpenRows open) : IFactKindVisitor
    {
        public void Visit<T>(FactKind<T> kind)
            where T : notnull
        {
            var rows = grid.Read<long, T, OpenFact<T>>((id, fact) => new OpenFact<T>(id, fact), splitOn: Of(kind).FirstColumn).AsList();
            foreach (var group in rows.GroupBy(row => kind.GroupOf(row.Fact)))
            {
                open.Set<T>(group.Key, [.. group.Select(row => IntervalDiff.Keep(row, kind.KeyHash))], group);
            }
        }
    }

    private Changes<T> Apply<T>(FactKind<T> kind, long group, IEnumerable<T> current)
        where T : notnull
    {
        var statements = Of(kind);
        var open = scope.Open ??= Read(scope.Connection, scope.Transaction, scope.HostId, withFacts: false);
        var rows = open.Of<T>(group);
        var diff = IntervalDiff.Compute(rows, current, kind.KeyHash);
        var changes = new Changes<T>();
        changes.Closed.AddRange(Close<T>(statements, diff.Close));
        changes.Opened.AddRange(diff.Open);
        changes.Updated.AddRange(diff.Update);
        var inserts = new List<T>();
        var updates = new List<OpenFact<T>>(diff.Update);
        // The latest ended row of each key, as rows come oldest first.
        var rejoinable = new Dictionary<string, long>(StringComparer.Ordinal);
        if (kind.Rejoin is { } rejoin && diff.Open.Count > 0)
        {
            foreach (var (id, rowKey) in scope.Connection.Query<(long, string)>(rejoin.Candidates,
                new { scope.HostId, Group = group, WindowStart = scope.Now - scope.RejoinWindowMs }, scope.Transaction))
            {
                rejoinable[rowKey] = id;
            }
        }
        foreach (var fact in diff.Open)
        {
            if (kind.Rejoin is { } rejoins && rejoinable.Remove(rejoins.Key(fact), out var id))
            {
                updates.Add(new OpenFact<T>(id, fact));
            }
            else
            {
                inserts.Add(fact);
            }
        }
        var inserted = Insert(statements, inserts);
        Update(statements, updates);
        if (diff.Close.Count > 0 || updates.Count > 0 || inserted.Count > 0)
        {
            var ended = diff.Close.Concat(updates.Select(u => u.Id)).ToHashSet();
            open.Set<T>(group, [.. rows.Where(row => !ended.Contains(row.Id)), .. updates.Concat(inserted).Select(row => IntervalDiff.Keep(row, kind.KeyHash))]);
        }
        return changes;
    }

    /// <summary>Changes the rows' other attributes in place; a rejoined row opens again. Updates differ row by row: a statement each.</summary>
    private void Update<T>(Statements statements, List<OpenFact<T>> rows)
        where T : notnull
    {
        if (rows.Count == 0)
        {
            return;
        }
        var update = statements.Update!;
        if (scope.Database.RowsPerInsert == 1)
        {
            foreach (var row in rows)
            {
                scope.Prepared.Bind(update, PreparedCommands.Values(update, row.Fact, new Dictionary<string, object?>(StringComparer.Ordinal) { ["Id"] = row.Id }), scope.Transaction)
                    .ExecuteNonQuery();
            }
            return;
        }
        scope.Connection.Execute(update, rows.Select(u =>
        {
            var parameters = new DynamicParameters(u.Fact);
            parameters.Add("Id", u.Id);
            return parameters;
        }), scope.Transaction);
    }

    /// <summary>Rows closed a statement, where the database takes a list of ids.</summary>
    private const int CloseChunk = 500;

    /// <summary>Ends the rows' intervals now; returns them with their facts, for the watchers.</summary>
    private List<OpenFact<T>> Close<T>(Statements statements, List<long> ids)
    {
        var closed = new List<OpenFact<T>>(ids.Count);
        if (scope.Database.RowsPerInsert == 1)
        {
            Func<DbDataReader, T>? parse = null;
            foreach (var id in ids)
            {
                using var reader = scope.Prepared.Bind(statements.CloseOne, new { scope.Now, LastSeen = scope.PreviousReport, Id = id }, scope.Transaction).ExecuteReader();
                reader.Read();
                parse ??= reader.GetRowParser<T>(startIndex: 1);
                closed.Add(new OpenFact<T>(id, parse(reader)));
            }
            return closed;
        }
        foreach (var chunk in ids.Chunk(CloseChunk))
        {
            closed.AddRange(scope.Connection.Query<long, T, OpenFact<T>>(scope.Database.WithInLists(statements.CloseMany), (id, fact) => new OpenFact<T>(id, fact),
                new { scope.Now, LastSeen = scope.PreviousReport, Ids = scope.Database.InList(chunk) }, scope.Transaction, splitOn: statements.FirstColumn));
        }
        return closed;
    }

    /// <summary>Inserts a row per fact; returns each with its new row's id.</summary>
    private List<OpenFact<T>> Insert<T>(Statements statements, List<T> facts)
        where T : notnull
    {
        var inserted = new List<OpenFact<T>>(facts.Count);
        var shared = new Dictionary<string, object?>(StringComparer.Ordinal) { ["HostId"] = scope.HostId, ["Now"] = scope.Now };
        var sql = statements.InsertReturning;
        if (scope.Database.RowsPerInsert == 1)
        {
            // One row a statement: the row holds the fact as given, and only its id is read back.
            foreach (var fact in facts)
            {
                inserted.Add(new OpenFact<T>((long)scope.Prepared.Bind(sql, PreparedCommands.Values(sql, fact, shared), scope.Transaction).ExecuteScalar()!, fact));
            }
            return inserted;
        }
        foreach (var (statement, values) in MultiRowInsert.Statements(sql, facts, shared, scope.Database.RowsPerInsert))
        {
            inserted.AddRange(scope.Connection.Query<long, T, OpenFact<T>>(statement, (id, fact) => new OpenFact<T>(id, fact), values, scope.Transaction,
                splitOn: statements.FirstColumn));
        }
        return inserted;
    }
}
