using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf;

namespace DaemonNet.Cli.Output;

/// <summary>The contract's values in the words admins use.</summary>
internal static class ContractText
{
    private static readonly JsonFormatter JsonFormat = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    private static readonly JsonFormatter JsonLineFormat = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Json(IMessage reply) => JsonFormat.Format(reply);

    /// <summary>One JSON object on one line, for streams read line by line (<c>watch --json</c>).</summary>
    public static string JsonLine(IMessage message) => JsonLineFormat.Format(message);

    /// <summary>
    /// What a NIC without evidence shows. A macvtap (direct) or passed-through NIC carries traffic
    /// the host's stack never sees: no neighbour entry or lease can appear for it, so its address is
    /// unknown to the host rather than absent.
    /// </summary>
    public static string NoAddress(Nic nic) =>
        nic.Kind is NicKind.Direct or NicKind.Other ? "not observable from the host" : "no address seen";

    /// <summary>Where a NIC is attached: "nat-bridge (virbr0)", "bridge br0", "direct eth0".</summary>
    public static string Attachment(Nic nic) => nic.Kind switch
    {
        NicKind.Network => nic.Bridge.Length > 0 ? $"{nic.Network} ({nic.Bridge})" : nic.Network,
        NicKind.Bridge => $"bridge {nic.Bridge}",
        NicKind.Direct => $"direct {nic.Bridge}",
        _ => nic.Bridge.Length > 0 ? nic.Bridge : "-",
    };

    /// <summary>What members wrote about a VM, in a line: "owner alice · tags web, db · Alice's web server: the club site".</summary>
    public static string Labels(VmLocation vm)
    {
        var title = string.Join(": ", new[] { vm.Title, vm.Description }.Where(t => t.Length > 0));
        return string.Join(" · ", new[]
        {
            vm.Owner.Length > 0 ? $"owner {vm.Owner}" : "",
            vm.Tags.Count > 0 ? $"tags {string.Join(", ", vm.Tags)}" : "",
            title,
        }.Where(part => part.Length > 0));
    }

    /// <summary>An address with its DNS name, when it has one: "192.168.122.45 (web1.club.example)"; a name that does not resolve back ends in '?'.</summary>
    public static string Address(AddressEvidence address) =>
        address.DnsName.Length == 0 ? address.Ip : $"{address.Ip} ({address.DnsName}{(address.DnsNameConfirmed ? "" : "?")})";

    /// <summary>What held in a span of history, in a line.</summary>
    public static string Describe(HistoryEntry entry) => entry.Kind switch
    {
        HistoryKind.Placement => $"{entry.VmName} {DomainStates.Describe(entry.State)} (uuid {entry.VmUuid})",
        HistoryKind.Nic => $"{(entry.VmName.Length > 0 ? entry.VmName : entry.VmUuid)} NIC {entry.Nic.Mac} on {Attachment(entry.Nic)}",
        HistoryKind.Address => $"{entry.Address.Ip} held by {entry.Mac} ({Source(entry.Address)})",
        HistoryKind.Silence => "host silent: nothing is known of it",
        _ => "unknown",
    };

    /// <summary>
    /// The evidence in the collector's words (the same the web page shows): "lease", "neighbour
    /// reachable"…; a collector older than those words sends only the source, named here as it is.
    /// </summary>
    public static string Source(AddressEvidence address) =>
        address.Evidence.Length > 0 ? address.Evidence : address.Source.ToString().ToLowerInvariant();

    /// <summary>A severity as the CLI writes it: info, warning or critical.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "info",
    };

    /// <summary>The evidence lines and the action under a finding or an alert, as audit and alerts print them.</summary>
    public static void WriteEvidenceAndAction(TextWriter writer, IEnumerable<Evidence> evidence, string action, string indent, bool utc)
    {
        foreach (var e in evidence)
        {
            var since = e.Since is null ? "" : $" since {RelativeTime.Absolute(e.Since.ToDateTimeOffset(), utc)}";
            writer.WriteLine($"{indent}{e.Host} ({e.Source}{since}): {e.Detail}");
        }
        writer.WriteLine($"{indent}→ {action}");
    }
}
