namespace DaemonNet.Collector.Answers;

/// <summary>A VM as an answer shows it: its host, its domain, its labels (when it has any) and its NICs with their addresses.</summary>
public sealed record LocatedVm(HostRow Host, DomainRow Domain, LabelRow? Labels, IReadOnlyList<LocatedNic> Nics);
