namespace DaemonNet.Collector.Storage;

/// <summary>
/// One host's open intervals, table by table (and source by source, for bindings): each row's id
/// with hashes of its fact's key and of the whole fact (<see cref="FactHash{T}"/>). Ingest compares
/// a snapshot with them and changes them with the rows it writes; the store keeps them between
/// snapshots, so that a host's open rows are read from the database once rather than at every
/// snapshot. Ids and hashes rather than facts: 24 bytes a row, where the facts took about 500.
/// </summary>
internal sealed class OpenRows
{
    private readonly Dictionary<(Type Fact, long Source), List<KeptRow>> tables = [];

    public List<KeptRow> Of<T>(long source) => tables.TryGetValue((typeof(T), source), out var rows) ? rows : [];

    public void Set<T>(long source, List<KeptRow> rows) => tables[(typeof(T), source)] = rows;
}

/// <summary>An open row as <see cref="OpenRows"/> keeps it.</summary>
public readonly record struct KeptRow(long Id, ulong Key, ulong Fact);
