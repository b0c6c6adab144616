using System.Globalization;
using System.Text;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Protos.Validation;

/// <summary>
/// The one table of bounds for every field the collector receives: agent messages and query
/// requests. The collector's validator walks it, docs/CONFIGURATION.md's limits table is generated from it,
/// and a test fails when a field of the contract has no row here.
/// </summary>
/// <remarks>
/// The counts are far above a real daemon host (tens of VMs; Linux keeps at most 1,024 neighbour
/// entries per family by default, <c>gc_thresh3</c>; libvirt's dnsmasq hands out at most one
/// lease per address of its range) and small enough that the largest snapshot they allow holds
/// the store's single writer for about a second (docs/BENCHMARKS.md, "The largest snapshot"), so
/// one host cannot make the others wait for long.
/// </remarks>
public static class WireLimits
{
    public const string Package = "daemonnet.v1.";

    /// <summary>Timestamps outside this range are refused: no clock is that far off, and the bound keeps every time sum in range.</summary>
    public static readonly DateTimeOffset EarliestTime = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset LatestTime = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The largest gRPC message the collector reads; a snapshot at every count limit stays below it.</summary>
    public const int MaxMessageBytes = 8 * 1024 * 1024;

    private const int Name = 64;
    private const int Word = 32;

    /// <summary>A PKCS#10 request in base64: an EC or RSA key's request is well under this.</summary>
    private const int CertificateRequest = 8_192;
    private const int Sentence = 1_024;

    private static FieldLimit Text(string field, int length = Sentence, TextFormat format = TextFormat.Line, bool mayBeEmpty = true) =>
        new(field) { MaxLength = length, Format = format, MayBeEmpty = mayBeEmpty };

    private static FieldLimit Required(string field, int length, TextFormat format) => Text(field, length, format, mayBeEmpty: false);

    private static FieldLimit List(string field, int count, string? uniqueBy = null) => new(field) { MaxCount = count, UniqueBy = uniqueBy };

    private static FieldLimit Texts(string field, int count, int length, TextFormat format = TextFormat.Line) =>
        new(field) { MaxCount = count, MaxLength = length, Format = format, MayBeEmpty = false };

    private static FieldLimit Number(string field, ulong max, ulong min = 0) => new(field) { Min = min, Max = max };

    private static FieldLimit Plain(string field) => new(field);

    /// <summary>Every field, by its name in the proto files without the package.</summary>
    public static readonly IReadOnlyList<FieldLimit> All =
    [
        // Ingest: what agents send.
        Plain("AgentMessage.sequence"),
        Plain("AgentMessage.snapshot"),
        Plain("AgentMessage.heartbeat"),
        Plain("AgentMessage.sent_at"),
        Plain("AgentMessage.replayed"),
        Required("Heartbeat.host_name", HostNames.MaxLength, TextFormat.HostName),
        Text("Heartbeat.content_hash", 128),
        Plain("Heartbeat.agent_time"),
        Plain("Heartbeat.counters"),

        Plain("HostSnapshot.host"),
        Plain("HostSnapshot.agent_time"),
        new("HostSnapshot.interval") { ShortestSpan = TimeSpan.FromMilliseconds(100), LongestSpan = TimeSpan.FromDays(1) },
        List("HostSnapshot.domains", 512, uniqueBy: "uuid"),
        List("HostSnapshot.networks", 128, uniqueBy: "name"),
        List("HostSnapshot.links", 1_024, uniqueBy: "name"),
        List("HostSnapshot.neighbours", 8_192),
        List("HostSnapshot.leases", 4_096),
        List("HostSnapshot.errors", 16, uniqueBy: "source"),
        Plain("HostSnapshot.counters"),
        List("HostSnapshot.configured", 256),
        Plain("HostSnapshot.interfaces_not_configured"),
        List("HostSnapshot.guest_addresses", 4_096),
        List("HostSnapshot.captured", 4_096),

        Required("HostIdentity.name", HostNames.MaxLength, TextFormat.HostName),
        Text("HostIdentity.machine_id", Name),
        Text("HostIdentity.agent_version", Name),
        Text("HostIdentity.kernel", 256),

        Required("Domain.uuid", 36, TextFormat.Uuid),
        Required("Domain.name", 256, TextFormat.Line),
        Plain("Domain.state"),
        Plain("Domain.persistent"),
        List("Domain.nics", 16),
        Text("Domain.title", 256),
        Text("Domain.description", Sentence),
        Text("Domain.owner", Name),
        Texts("Domain.tags", 16, Word),

        Required("Nic.mac", 17, TextFormat.Mac),
        Plain("Nic.kind"),
        Text("Nic.network", 256),
        Text("Nic.bridge", Name),
        Text("Nic.target_dev", Name),

        Required("Network.name", 256, TextFormat.Line),
        Text("Network.uuid", 36),
        Text("Network.bridge", Name),
        Text("Network.forward_mode", Word),
        Plain("Network.active"),
        List("Network.addresses", 16),
        Required("NetworkAddress.cidr", 49, TextFormat.Cidr),
        List("NetworkAddress.dhcp_ranges", 16),
        Required("DhcpRange.start", 45, TextFormat.Address),
        Required("DhcpRange.end", 45, TextFormat.Address),

        Required("Link.name", Name, TextFormat.Line),
        Text("Link.kind", Word),
        Text("Link.mac", 17, TextFormat.Mac),
        Text("Link.master", Name),
        Text("Link.operstate", Word),
        Number("Link.mtu", 1 << 20),
        Texts("Link.addresses", 256, 49, TextFormat.Cidr),
        Plain("Link.tunnel"),
        Text("TunnelEndpoints.local", 45, TextFormat.Ip),
        Text("TunnelEndpoints.remote", 45, TextFormat.Ip),
        Number("TunnelEndpoints.ttl", 255),

        Text("CounterSample.boot_id", Name),
        List("CounterSample.links", 1_024, uniqueBy: "link"),
        Required("LinkCounters.link", Name, TextFormat.Line),
        Plain("LinkCounters.ifindex"),
        Plain("LinkCounters.rx_bytes"),
        Plain("LinkCounters.tx_bytes"),
        Plain("LinkCounters.rx_packets"),
        Plain("LinkCounters.tx_packets"),

        Required("ConfiguredInterface.name", Name, TextFormat.Line),
        Text("ConfiguredInterface.family", Word),
        Text("ConfiguredInterface.method", Word),
        Plain("ConfiguredInterface.auto"),
        Text("ConfiguredInterface.address", 256),
        Text("ConfiguredInterface.netmask", Name),
        Text("ConfiguredInterface.endpoint", 256),
        Text("ConfiguredInterface.local", 256),
        Number("ConfiguredInterface.ttl", 255),
        Text("ConfiguredInterface.gateway", 256),
        Text("ConfiguredInterface.mode", Word),
        Texts("ConfiguredInterface.bridge_ports", 256, Name),
        Text("ConfiguredInterface.file", 4_096),
        Number("ConfiguredInterface.line", 10_000_000),

        Required("Neighbour.ip", 45, TextFormat.Ip),
        Text("Neighbour.mac", 17, TextFormat.Mac),
        Text("Neighbour.device", Name),
        Plain("Neighbour.state"),

        Required("GuestAddress.mac", 17, TextFormat.Mac),
        Required("GuestAddress.ip", 45, TextFormat.Ip),
        Text("GuestAddress.device", Name),
        Text("GuestAddress.interface", Name),

        Required("CapturedAddress.mac", 17, TextFormat.Mac),
        Required("CapturedAddress.ip", 45, TextFormat.Ip),
        Text("CapturedAddress.device", Name),
        Plain("CapturedAddress.claim"),
        Plain("CapturedAddress.last_seen"),

        Required("Lease.mac", 17, TextFormat.Mac),
        Required("Lease.ip", 45, TextFormat.Ip),
        Text("Lease.hostname", 256),
        Text("Lease.client_id", 1_024),
        Plain("Lease.expiry"),
        Text("Lease.bridge", 256),

        Required("SourceError.source", Word, TextFormat.Line),
        Text("SourceError.message", Sentence),

        // Inventory: what readers ask.
        Required("WhereRequest.query", 256, TextFormat.Line),
        Plain("AuditRequest.min_severity"),
        Text("WatchRequest.query", 256, TextFormat.Line),
        Plain("WhereRequest.at"),
        Text("WhereRequest.wait", Word),
        Text("WhereRequest.family", Word),
        Required("HistoryRequest.query", 256, TextFormat.Line),
        Plain("HistoryRequest.since"),
        Plain("HistoryRequest.until"),
        Text("ListVmsRequest.host", HostNames.MaxLength, TextFormat.HostName),
        Text("ListVmsRequest.owner", Name),
        Text("TunnelsRequest.host", HostNames.MaxLength, TextFormat.HostName),
        Plain("TunnelsRequest.since"),
        List("AuditRequest.netreg", 100_000),
        Plain("AuditRequest.netreg_given"),
        Required("NetRegEntry.mac", 17, TextFormat.MacAnySpelling),
        Text("NetRegEntry.hostname", HostNames.MaxLength),

        // Alerting: the alerts sent, and a test alert.
        Plain("ListAlertsRequest.since"),
        Number("ListAlertsRequest.limit", 10_000),
        Required("SendTestAlertRequest.sink", Word, TextFormat.Line),

        // Enrolment: a host's first certificate, and its renewals.
        Required("EnrolRequest.token", 128, TextFormat.Line),
        Required("EnrolRequest.host_name", HostNames.MaxLength, TextFormat.HostName),
        Required("EnrolRequest.certificate_request", CertificateRequest, TextFormat.Line),
        Required("RenewRequest.certificate_request", CertificateRequest, TextFormat.Line),
    ];

    /// <summary>Fields of the standard gRPC services the collector also serves (health), by their full names.</summary>
    public static readonly IReadOnlyList<FieldLimit> Standard =
    [
        Text("grpc.health.v1.HealthCheckRequest.service", 256),
    ];

    private static readonly Dictionary<string, FieldLimit> ByField =
        All.Select(l => (Package + l.Field, l)).Concat(Standard.Select(l => (l.Field, l))).ToDictionary(p => p.Item1, p => p.l, StringComparer.Ordinal);

    /// <summary>The limit of a field by its full proto name (daemonnet.v1.Nic.mac), or null when the table lacks it.</summary>
    public static FieldLimit? For(string fullName) => ByField.GetValueOrDefault(fullName);

    /// <summary>The limit of a field the code knows is in the table, by its name without the package (Nic.mac).</summary>
    public static FieldLimit Of(string field) =>
        For(Package + field) ?? throw new ArgumentException($"{field} has no row in WireLimits", nameof(field));

    /// <summary>The same as a Markdown table, for docs/CONFIGURATION.md (a test keeps the two equal).</summary>
    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| field | limit |\n| --- | --- |\n");
        foreach (var limit in All.Where(l => Describe(l).Length > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{limit.Field}` | {Describe(limit)} |\n");
        }
        return text.ToString();
    }

    private static string Describe(FieldLimit limit)
    {
        var parts = new List<string>();
        if (limit.MaxCount > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"at most {limit.MaxCount:N0} entries"));
        }
        if (limit.UniqueBy is { } unique)
        {
            parts.Add($"each `{unique}` once");
        }
        if (limit.MaxLength > 0)
        {
            parts.Add(limit.Format switch
            {
                TextFormat.HostName => "a host name (letters, digits, `.`, `-`, `_`)",
                TextFormat.Mac => "a MAC as `52:54:00:ab:cd:ef`",
                TextFormat.MacAnySpelling => "a MAC (`:` or `-`, either case)",
                TextFormat.Ip => "an IP address in canonical form",
                TextFormat.Address => "an IP address",
                TextFormat.Cidr => "an IP address/prefix length",
                TextFormat.Uuid => "a uuid",
                _ => "text without control characters",
            });
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"up to {limit.MaxLength:N0} characters"));
            if (!limit.MayBeEmpty)
            {
                parts.Add("not empty");
            }
        }
        if (limit.Max != ulong.MaxValue || limit.Min > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{limit.Min:N0} to {limit.Max:N0}"));
        }
        if (limit.ShortestSpan is { } shortest && limit.LongestSpan is { } longest)
        {
            parts.Add($"{DurationText.Format(shortest)} to {DurationText.Format(longest)}");
        }
        return string.Join(", ", parts);
    }
}
