namespace DaemonNet.Collector.Storage;

/// <summary>
/// Compares the facts a snapshot states with the open intervals stored for its host. Facts are
/// matched by key: a fact whose key is new opens an interval, a stored key the snapshot no longer
/// states closes one, and a key whose other attributes changed is updated in place. Where the key
/// is the whole fact, any change closes the old interval and opens a new one.
/// </summary>
public static class IntervalDiff
{
    public static Changes<T> Compute<T, TKey>(IEnumerable<OpenFact<T>> open, IEnumerable<T> current, Func<T, TKey> key)
        where T : IEquatable<T>
        where TKey : notnull
    {
        var wanted = new Dictionary<TKey, T>();
        foreach (var fact in current)
        {
            wanted.TryAdd(key(fact), fact);
        }
        var changes = new Changes<T>();
        foreach (var stored in open)
        {
            if (wanted.Remove(key(stored.Fact), out var fact))
            {
                if (!fact.Equals(stored.Fact))
                {
                    changes.Updated.Add(new OpenFact<T>(stored.Id, fact));
                }
            }
            else
            {
                changes.Closed.Add(stored);
            }
        }
        changes.Opened.AddRange(wanted.Values);
        return changes;
    }
}
