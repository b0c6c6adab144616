using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Storage;

/// <summary>Hears of each snapshot the store commits: the change feed, which tells the watchers and alerts.</summary>
public interface ICommitListener
{
    /// <summary>
    /// Inside the snapshot's transaction: the changes people watch for, encoded, or null when there
    /// are none. The store keeps them with the commit, or not at all: in the alert outbox, from which
    /// alerts are raised even if the collector dies right after the commit, and in the change log
    /// that the other collectors of a shared database read.
    /// </summary>
    byte[]? Encode(CommittedFacts facts);

    /// <summary>After the commit, before the next write.</summary>
    void Committed(CommittedFacts facts);
}
