namespace DaemonNet.Collector.Storage;

public sealed record SilenceRow(long HostId, long ValidFrom, long? ValidTo);
