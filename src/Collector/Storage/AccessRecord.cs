namespace DaemonNet.Collector.Storage;

/// <summary>
/// One question asked of the collector: when (Unix ms), by whom ("reader alice (certificate)",
/// "open read"…), which method, the request in short, how many answers, the status, and how long it took.
/// </summary>
public sealed record AccessRecord(long At, string Caller, string Method, string Query, long Answers, string Status, double Milliseconds);
