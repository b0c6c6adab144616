namespace DaemonNet.Collector.Answers;

public sealed record SilenceRow(long HostId, long ValidFrom, long? ValidTo);
