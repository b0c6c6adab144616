namespace DaemonNet.Collector.Answers;

/// <summary>A VM as an answer shows it: its host, its domain and its NICs with their addresses.</summary>
public sealed record LocatedVm(HostRow Host, DomainRow Domain, IReadOnlyList<LocatedNic> Nics);
