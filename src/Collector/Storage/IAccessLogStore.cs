namespace DaemonNet.Collector.Storage;

/// <summary>The record of who asked what, kept with its own retention.</summary>
public interface IAccessLogStore
{
    Task AppendAsync(IReadOnlyList<AccessRecord> records, CancellationToken cancellationToken);

    /// <summary>The newest records first, since an instant, of callers whose description contains <paramref name="who"/> (all when empty).</summary>
    Task<IReadOnlyList<AccessRecord>> ReadAsync(DateTimeOffset since, string who, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the records older than the instant; returns how many.</summary>
    Task<long> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
