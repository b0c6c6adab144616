namespace DaemonNet.Collector.Storage;

/// <summary>Hears of each snapshot the store commits: the change feed, which tells the watchers.</summary>
public interface ICommitListener
{
    /// <summary>
    /// Inside the snapshot's transaction, when other collectors share the database: what they are
    /// to be told of it, encoded, or null when it is nothing to them. It is stored and announced
    /// with the snapshot's commit, or not at all.
    /// </summary>
    byte[]? EncodeForOthers(CommittedFacts facts);

    /// <summary>After the commit, before the next write.</summary>
    void Committed(CommittedFacts facts);
}
