namespace DaemonNet.Collector.Answers;

/// <summary>A VM's interval on a host (<see cref="Facts.FactCatalogue.Domains"/>).</summary>
public sealed record DomainRow(long HostId, string Uuid, string Name, long State, long Persistent, long ValidFrom, long? ValidTo);
