using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Facts;

/// <summary>
/// A kind of fact the collector keeps as intervals, declared once in <see cref="FactCatalogue"/>:
/// its table, columns and indexes. The table itself, the interval writer, the open rows kept
/// between snapshots and the readers' column lists all come from it.
/// </summary>
public abstract class FactKind
{
    /// <summary>The table; besides the fact's columns every fact table has id, host_id, valid_from and valid_to.</summary>
    public required string Table { get; init; }

    public required IReadOnlyList<FactColumn> Columns { get; init; }

    /// <summary>The agent sources that state facts of this kind. When one fails, its facts stay as they were rather than being closed as if gone.</summary>
    public abstract IEnumerable<string> Sources { get; }

    /// <summary>What questions find the kind's rows by, besides their host: an index each.</summary>
    public IReadOnlyList<FactLookup> Lookups { get; init; } = [];

    /// <summary>The column that tells one source's rows from another's where they share the table (<see cref="FactKind{T}.GroupOf"/> reads it); null when one source states the kind.</summary>
    public string? GroupColumn { get; init; }

    /// <summary>The fact's columns for a reader's SELECT, each named for its property: "d.uuid AS Uuid, d.name AS Name".</summary>
    public string Select(string alias) => string.Join(", ", Columns.Select(c => $"{alias}.{c.Name} AS {c.Property}"));

    /// <summary>A row of the kind as the readers' …Row records take it: the host, the fact's columns, the interval.</summary>
    public string RowColumns(string alias) => $"{alias}.host_id AS HostId, {Select(alias)}, {alias}.valid_from AS ValidFrom, {alias}.valid_to AS ValidTo";

    /// <summary>The fact's columns as an INSERT lists them.</summary>
    public string ColumnNames => string.Join(", ", Columns.Select(c => c.Name));

    /// <summary>The parameters of an INSERT, in the same order: "@Uuid, @Name".</summary>
    public string Parameters => string.Join(", ", Columns.Select(c => $"@{c.Property}"));

    /// <summary>The columns an open interval updates in place when only they change; the others are its key.</summary>
    public IReadOnlyList<string> ChangedInPlace { get; init; } = [];

    /// <summary>What closing an interval sets besides valid_to (bindings keep the last report that showed them).</summary>
    public string ClosingAlso { get; init; } = "";

    /// <summary>Whether an interval that ended a while ago may continue instead of a new one starting.</summary>
    public abstract bool Rejoins { get; }

    /// <summary>What a snapshot received at <paramref name="receivedAt"/> states of this kind, source by source, leaving out the sources that failed.</summary>
    public abstract IEnumerable<StatedFacts> Stated(HostSnapshot snapshot, long receivedAt, IReadOnlySet<string> failed);

    /// <summary>Hands the kind, with its fact's type, to code that works on any kind.</summary>
    public abstract void Accept(IFactKindVisitor visitor);
}

/// <summary>Code that works on any kind of fact, with its type: <see cref="FactKind.Accept"/> calls it back.</summary>
public interface IFactKindVisitor
{
    void Visit<T>(FactKind<T> kind)
        where T : notnull;
}

/// <summary>A kind of fact of type <typeparamref name="T"/>: its key, how snapshots state it, and what watchers are told.</summary>
public sealed class FactKind<T> : FactKind
    where T : notnull
{
    /// <summary>
    /// A hash of what identifies a fact's interval: the whole fact, unless the kind has attributes
    /// that change in place (<see cref="ChangedInPlace"/>) without starting a new interval.
    /// </summary>
    public Func<T, ulong> KeyHash { get; init; } = FactHash<T>.Of;

    /// <summary>Each agent source that states facts of this kind, and how its part of a snapshot becomes facts.</summary>
    public required IReadOnlyList<Statement<T>> StatedBy { get; init; }

    public override IEnumerable<string> Sources => StatedBy.Select(s => s.Source).Distinct(StringComparer.Ordinal);

    public override bool Rejoins => Rejoin is not null;

    public override void Accept(IFactKindVisitor visitor) => visitor.Visit(this);

    public override IEnumerable<StatedFacts> Stated(HostSnapshot snapshot, long receivedAt, IReadOnlySet<string> failed) =>
        StatedBy.Where(s => !failed.Contains(s.Source)).Select(s => new StatedFacts<T>(this, s.Group, [.. s.Facts(snapshot, receivedAt)]));

    /// <summary>Where one source's facts share the table with another's: the fact's group (a binding's evidence source, in <see cref="FactKind.GroupColumn"/>); 0 otherwise.</summary>
    public Func<T, long> GroupOf { get; init; } = _ => 0;

    /// <summary>Tells the change feed what a write of this kind opened and closed; null when watchers do not follow the kind.</summary>
    public Action<CommittedFacts, Changes<T>>? Watched { get; init; }

    /// <summary>Whether an interval that ended a while ago may continue instead of a new one starting (bindings: <see cref="Facts.Rejoin{T}"/>).</summary>
    public Rejoin<T>? Rejoin { get; init; }
}

/// <summary>
/// A column, or an expression of columns (<c>lower(name)</c>), that questions find a kind's rows
/// by: its index is named <c>TABLE_by_NAME</c> and ends in valid_to, so that "now" and "as of"
/// use it alike.
/// </summary>
public sealed record FactLookup(string Name, string Expression);

/// <summary>
/// How one agent source states facts of a kind: <see cref="Facts"/> turns the snapshot (with the
/// instant the collector received it, Unix ms) into facts. <see cref="Group"/> tells this source's
/// rows from another's in a table they share; 0 when the kind has one source.
/// </summary>
public sealed record Statement<T>(string Source, long Group, Func<HostSnapshot, long, IEnumerable<T>> Facts);

/// <summary>
/// Rejoining: a fact that ended within the collector's rejoin window continues its interval when it
/// is stated again. <see cref="Candidates"/> lists the host's recently ended rows of a group (id,
/// key), oldest first, with @HostId, @Group and @WindowStart; <see cref="Key"/> is a fact's key in
/// the same form.
/// </summary>
public sealed record Rejoin<T>(string Candidates, Func<T, string> Key);
