namespace DaemonNet.Collector.Answers;

/// <summary>A NIC's interval (<see cref="Facts.FactCatalogue.Nics"/>).</summary>
public sealed record NicRow(long HostId, string DomainUuid, string Mac, long Kind, string Network, string Bridge, string TargetDev, long ValidFrom, long? ValidTo);
