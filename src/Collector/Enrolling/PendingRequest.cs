using System.Security.Cryptography.X509Certificates;

namespace DaemonNet.Collector.Enrolling;

/// <summary>A host's certificate request waiting for an admin: its name, the token it came with, its key, and whether an admin denied it.</summary>
public sealed record PendingRequest(string Name, string TokenId, PublicKey Key, TimeSpan CertificateLifetime, DateTimeOffset RequestedAt, bool Denied);
