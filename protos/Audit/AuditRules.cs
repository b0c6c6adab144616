namespace DaemonNet.Protos.V1;

/// <summary>
/// Every audit rule, written once: the collector names its findings with these constants, the
/// rule table of docs/CLI.md is generated from <see cref="All"/> (a test keeps the two equal), and
/// <c>daemonnet audit --help</c> lists the names.
/// </summary>
public static class AuditRules
{
    public const string DuplicateMac = "duplicate-mac";

    public const string IpConflict = "ip-conflict";

    public const string VmRunningTwice = "vm-running-twice";

    public const string VmDefinedTwice = "vm-defined-twice";

    public const string Ipv6PrefixOverlap = "ipv6-prefix-overlap";

    public const string NatPrefixOutsideTunnel = "nat-prefix-outside-tunnel";

    public const string TunnelDown = "tunnel-down";

    public const string TunnelMissing = "tunnel-missing";

    public const string TunnelEndpointDrift = "tunnel-endpoint-drift";

    public const string TunnelUnconfigured = "tunnel-unconfigured";

    public const string TunnelNearLimit = "tunnel-near-limit";

    public const string HostSilent = "host-silent";

    public const string NetregUnregistered = "netreg-unregistered";

    public const string LeaseOrphaned = "lease-orphaned";

    public const string PoolExhaustion = "pool-exhaustion";

    public const string NicUnobservable = "nic-unobservable";

    public const string FlipFlop = "flip-flop";

    public const string DnsDangling = "dns-dangling";

    public const string DnsStale = "dns-stale";

    public const string DnsCheckFailed = "dns-check-failed";

    public const string PtrNamesOtherVm = "ptr-names-other-vm";

    public static readonly IReadOnlyList<AuditRule> All =
    [
        new(DuplicateMac, "critical", "one MAC on the NICs of two different VMs (uuids), on one host or two"),
        new(IpConflict, "critical", "one IP bound to two MACs at once in one layer-2 segment: the LAN (all forward bridges), or one host's NAT bridge; the same private address behind two hosts' NAT is no conflict"),
        new(VmRunningTwice, "critical / warning", "one domain uuid running (or paused) on two hosts / two VMs with one name running on two hosts"),
        new(VmDefinedTwice, "warning", "one uuid, or one name, defined (persistent) on two hosts; a transient copy during migration is not"),
        new(Ipv6PrefixOverlap, "critical", "global IPv6 prefixes of two hosts (libvirt networks, tunnel addresses, configured routed prefixes) overlap"),
        new(NatPrefixOutsideTunnel, "warning", "a nat-bridge IPv6 prefix outside the host's configured routed prefixes (or, with none configured, its tunnels' prefixes), or on a host with no tunnel"),
        new(TunnelDown, "critical", "a tunnel link is `DOWN` or `LOWERLAYERDOWN`"),
        new(TunnelMissing, "critical / info", "a tunnel stanza with `auto`/`allow-*` / without it has no link"),
        new(TunnelEndpointDrift, "warning", "the running tunnel's local or remote endpoint is not the configured one"),
        new(TunnelUnconfigured, "info", "a tunnel exists that no interfaces file configures"),
        new(TunnelNearLimit, "warning / critical", "the p95 rate over the last hour is ≥ 80 % / ≥ 100 % of the tunnel's limit"),
        new(HostSilent, "warning", "a host has not reported for longer than its stale threshold"),
        new(NetregUnregistered, "warning", "with `--netreg`: a forward-bridge NIC's MAC (a NIC on a libvirt network in bridge mode, or a bridge-type NIC on a bridge no NAT network owns) is not in the NetReg list"),
        new(LeaseOrphaned, "warning / info", "an unexpired dnsmasq lease whose MAC belongs to no VM on that host (left behind after an undefine) / held by a VM that is not running"),
        new(NicUnobservable, "info", "a running VM's NIC the host cannot observe (macvtap `direct` or passed-through), with no guest-agent address: `where` shows it as \"not observable from the host\""),
        new(PoolExhaustion, "warning / critical", "a libvirt network's IPv4 DHCP range has ≥ 80 % / ≥ 95 % of its addresses under unexpired leases"),
        new(FlipFlop, "warning", "one MAC seen on the wire with three or more IPv4 addresses within 15 minutes (arpwatch's flip flop): a client that keeps changing its address, or ARP spoofing; two MACs claiming one address on the wire are an ip-conflict"),
        new(DnsDangling, "critical / warning", "with a Cloudflare zone: an AAAA record points at an address another running VM holds than the one its first label names / that no running VM holds"),
        new(DnsStale, "warning", "with a Cloudflare zone: an AAAA record's first label names a running VM whose global IPv6 addresses are all others"),
        new(DnsCheckFailed, "warning", "with a Cloudflare zone: its records could not be listed (bad token, unknown zone, rate limit, unreachable)"),
        new(PtrNamesOtherVm, "warning", "the PTR name of a running VM's address (through the collector's resolver) has another VM's name as its first label"),
    ];

    /// <summary>The rule table as docs/CLI.md shows it, indented for its place in a list item.</summary>
    public static string Markdown() =>
        "  | rule | severity | when |\n  | --- | --- | --- |\n" + string.Concat(All.Select(r => $"  | `{r.Name}` | {r.Severities} | {r.When} |\n"));
}
