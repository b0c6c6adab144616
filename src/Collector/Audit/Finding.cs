namespace DaemonNet.Collector.Audit;

/// <summary>What an audit rule found: the objects involved, the evidence, and what to do about it.</summary>
public sealed record Finding(string Rule, Severity Severity, string Summary, IReadOnlyList<string> Objects, IReadOnlyList<EvidenceItem> Evidence, string Action);
