using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Compares the facts a snapshot states with the open intervals kept for its host. Facts are
/// matched by key: a fact whose key is new opens an interval, a kept key the snapshot no longer
/// states closes one, and a key whose other attributes changed is updated in place. Where the key
/// is the whole fact, any change closes the old interval and opens a new one. Keys and facts are
/// compared by their hashes (<see cref="FactHash{T}"/>).
/// </summary>
public static class IntervalDiff
{
    public static Diff<T> Compute<T>(IReadOnlyList<KeptRow> open, IEnumerable<T> current, Func<T, ulong> keyHash)
    {
        var wanted = new Dictionary<ulong, T>();
        foreach (var fact in current)
        {
            wanted.TryAdd(keyHash(fact), fact);
        }
        var diff = new Diff<T>();
        foreach (var kept in open)
        {
            if (wanted.Remove(kept.Key, out var fact))
            {
                if (FactHash<T>.Of(fact) != kept.Fact)
                {
                    diff.Update.Add(new OpenFact<T>(kept.Id, fact));
                }
            }
            else
            {
                diff.Close.Add(kept.Id);
            }
        }
        diff.Open.AddRange(wanted.Values);
        return diff;
    }

    /// <summary>The row as kept: its id, and the hashes of its fact's key and of the fact.</summary>
    public static KeptRow Keep<T>(OpenFact<T> row, Func<T, ulong> keyHash) => new(row.Id, keyHash(row.Fact), FactHash<T>.Of(row.Fact));
}

/// <summary>What <see cref="IntervalDiff"/> found: the rows to close (by id), the facts to open, and the rows whose other attributes changed.</summary>
public sealed class Diff<T>
{
    public List<long> Close { get; } = [];
    public List<T> Open { get; } = [];
    public List<OpenFact<T>> Update { get; } = [];
}
