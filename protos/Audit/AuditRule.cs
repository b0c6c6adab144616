namespace DaemonNet.Protos.V1;

/// <summary>One audit rule: its stable name (<c>Finding.rule</c>), the severities it reports, and when it fires.</summary>
public sealed record AuditRule(string Name, string Severities, string When);
