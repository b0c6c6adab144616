namespace DaemonNet.Collector.Storage;

/// <summary>
/// One host's open intervals, table by table (and source by source, for bindings): each row's id
/// and the fact it holds. Ingest compares a snapshot with them and changes them with the rows it
/// writes; the store keeps them between snapshots, so that a host's open rows are read from the
/// database once rather than at every snapshot.
/// </summary>
internal sealed class OpenRows
{
    private readonly Dictionary<(Type Fact, long Source), object> tables = [];

    public List<OpenFact<T>> Of<T>(long source) =>
        tables.TryGetValue((typeof(T), source), out var rows) ? (List<OpenFact<T>>)rows : [];

    public void Set<T>(long source, List<OpenFact<T>> rows) => tables[(typeof(T), source)] = rows;
}
