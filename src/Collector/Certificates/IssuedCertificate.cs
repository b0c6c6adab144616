namespace DaemonNet.Collector.Certificates;

/// <summary>A certificate the cluster CA issued: NotAfter is null for a revoked one whose file was replaced since.</summary>
public sealed record IssuedCertificate(string Name, string Role, string Serial, DateTimeOffset? NotAfter, DateTimeOffset? RevokedAt);
