namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// An enrolment token as the collector keeps it: which host names it admits (a pattern with * and
/// ?), how many more hosts may use it, until when, whether an admin approves each request, whether
/// a host that still has a valid certificate may enrol again, how long the certificates it brings
/// are valid, and its hash.
/// </summary>
public sealed record EnrolmentToken(string Id, string Hosts, int UsesLeft, DateTimeOffset ExpiresAt, bool Approve, bool AllowsReenrol,
    TimeSpan CertificateLifetime, DateTimeOffset? RevokedAt, string Hash);
