namespace DaemonNet.HostAgent.Sync;

/// <summary>The end of one wait of a sync stream: why it ended, and the collector's reasons when it asked for a snapshot.</summary>
public sealed record Round(RoundCause Cause, IReadOnlyList<string> Reasons);
