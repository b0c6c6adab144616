namespace DaemonNet.Collector.Dns;

/// <summary>One AAAA record: its full name and the address it points at (as the collector writes addresses).</summary>
public sealed record AaaaRecord(string Name, string Address, bool Proxied);

/// <summary>
/// The zone's AAAA records as last listed, or why they could not be: what the audit checks.
/// Null records with a null error means not listed yet.
/// </summary>
public sealed record DnsRecords(string Zone, IReadOnlyList<AaaaRecord>? Records, DateTimeOffset? ListedAt, string? Error)
{
    public static DnsRecords NotListedYet(string zone) => new(zone, null, null, null);
}
