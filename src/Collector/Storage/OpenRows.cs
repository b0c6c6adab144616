using System.Runtime.InteropServices;
using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// One host's open intervals, kind by kind (and group by group, for bindings): each row's id with
/// hashes of its fact's key and of the whole fact (<see cref="FactHash{T}"/>). Ingest compares a
/// snapshot with them and changes them with the rows it writes; the ingest writer keeps them
/// between snapshots, so that a host's open rows are read from the database once rather than at
/// every snapshot. Ids and hashes rather than facts: 24 bytes a row, where the facts took about
/// 500. Only the rows read for a host back from a silence keep their facts too, for the watchers.
/// </summary>
internal sealed class OpenRows(bool withFacts = false)
{
    private readonly Dictionary<(Type Fact, long Group), List<KeptRow>> tables = [];
    private readonly Dictionary<(Type Fact, long Group), object> facts = [];

    public List<KeptRow> Of<T>(long group) => tables.TryGetValue((typeof(T), group), out var rows) ? rows : [];

    public void Set<T>(long group, List<KeptRow> rows, IEnumerable<OpenFact<T>>? withTheirFacts = null)
    {
        tables[(typeof(T), group)] = rows;
        if (withFacts && withTheirFacts is not null)
        {
            facts[(typeof(T), group)] = withTheirFacts.ToList();
        }
    }

    /// <summary>The rows with their facts, when they were read with them.</summary>
    public IReadOnlyList<OpenFact<T>> Facts<T>(long group) => facts.TryGetValue((typeof(T), group), out var rows) ? (List<OpenFact<T>>)rows : [];
}

/// <summary>An open row as <see cref="OpenRows"/> keeps it.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct KeptRow(long Id, ulong Key, ulong Fact);
