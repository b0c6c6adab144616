namespace DaemonNet.Collector.Storage;

public sealed record DomainRow(long Id, long HostId, string Uuid, string Name, long State, long Persistent, long ValidFrom, long? ValidTo);
