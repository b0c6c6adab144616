namespace DaemonNet.Collector.Watching;

/// <summary>A watcher fell more than <see cref="ChangeFeed.QueueLength"/> events behind and was dropped.</summary>
public sealed class FellBehindException()
    : Exception($"this watch fell more than {ChangeFeed.QueueLength} events behind and was dropped; subscribe again (a query starts with the current answer)");
