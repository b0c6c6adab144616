namespace DaemonNet.Collector.Storage;

public sealed record NicRow(long HostId, string DomainUuid, string Mac, long Kind, string Network, string Bridge, string TargetDev, long ValidFrom, long? ValidTo);
