namespace DaemonNet.Collector.Facts;

/// <summary>An agent source that failed in a host's report, with the sentence it failed with.</summary>
public sealed record SourceFailure(string Source, string Message);
