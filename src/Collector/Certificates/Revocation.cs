namespace DaemonNet.Collector.Certificates;

/// <summary>One revoked certificate: its serial number (hex, as .NET and openssl print it), whom it named, and when it was revoked.</summary>
public sealed record Revocation(string Serial, string Name, string Role, DateTimeOffset RevokedAt);
