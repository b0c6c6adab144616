namespace DaemonNet.Collector.Answers;

/// <summary>
/// For a question about an instant that nothing answers: the interval about the query that ended
/// last by then, and the one that started first after it; each is a history of at most one interval.
/// </summary>
public sealed record NearestIntervals(HistoryResult Before, HistoryResult After);
