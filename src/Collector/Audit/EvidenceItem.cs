namespace DaemonNet.Collector.Audit;

/// <summary>One observation behind a finding or an alert: which host said what, from which source, since when (Unix ms).</summary>
public sealed record EvidenceItem(string Host, string Source, long? Since, string Detail);
