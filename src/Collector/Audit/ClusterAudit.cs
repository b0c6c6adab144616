using System.Net;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Collector.Tunnels;
using DaemonNet.Protos.Formats;
using AuditRules = DaemonNet.Protos.V1.AuditRules;
using NicKind = DaemonNet.Protos.V1.NicKind;
using SourceNames = DaemonNet.Protos.V1.SourceNames;
using TunnelDrift = DaemonNet.Protos.V1.TunnelDrift;

namespace DaemonNet.Collector.Audit;

/// <summary>
/// The cluster-wide consistency rules. Each rule reads what holds now and states each finding with
/// the objects involved, the evidence (host, source, since when) and what to do. Facts of silent
/// hosts are left out of every rule but host-silent: what they last said may no longer hold.
/// </summary>
public sealed class ClusterAudit
{
    /// <summary>Traffic at this share of a tunnel's limit (95th percentile over the last hour) is near it.</summary>
    public const double NearLimit = 0.8;

    private readonly ClusterState state;
    private readonly Dictionary<long, HostRow> live;
    private readonly Dictionary<long, string> names;
    private readonly Dictionary<(long, string), DomainRow> domains;
    private readonly Dictionary<string, long> liveIds;

    // Bridges of NAT (or isolated, routed) libvirt networks: each host's private segment.
    private readonly HashSet<(long HostId, string Bridge)> privateBridges;

    private ClusterAudit(ClusterState state, Func<HostRow, bool> silent)
    {
        this.state = state;
        live = state.Hosts.Where(h => !silent(h)).ToDictionary(h => h.Id);
        names = state.Hosts.ToDictionary(h => h.Id, h => h.Name);
        domains = state.Domains.GroupBy(d => (d.HostId, d.Uuid)).ToDictionary(g => g.Key, g => g.First());
        liveIds = live.Values.ToDictionary(h => h.Name, h => h.Id, StringComparer.Ordinal);
        privateBridges = state.Networks.Where(n => n.ForwardMode != "bridge").Select(n => (n.HostId, n.Bridge)).ToHashSet();
    }

    /// <summary>The window whose 95th-percentile rate is compared with a tunnel's limit.</summary>
    public static readonly TimeSpan TrafficWindow = TimeSpan.FromHours(1);

    /// <summary>Reads what holds now, and the last hour's traffic, and runs every rule: the audit question and the alerts both start here.</summary>
    public static async Task<(List<Finding> Findings, ClusterState State)> RunAsync(IStateReader store, IntervalRules rules,
        IReadOnlyDictionary<string, TunnelSettings> settings, DateTimeOffset now, IReadOnlyList<string>? netreg, DnsRecords? dns,
        Func<string, AddressName?>? reverseNames, CancellationToken cancellationToken)
    {
        var current = await store.CurrentStateAsync(now, cancellationToken);
        var since = now - TrafficWindow;
        var traffic = await store.TrafficAsync(null, since, cancellationToken);
        var tunnels = TunnelInventory.Build(current, traffic, settings, h => rules.IsSilent(h, now), since.ToUnixTimeMilliseconds());
        return (Run(current, tunnels, settings, h => rules.IsSilent(h, now), netreg, dns, reverseNames), current);
    }

    /// <param name="netreg">The MACs NetReg lists; null when no list was given (the netreg rule is skipped then).</param>
    /// <param name="dns">The zone's AAAA records; null when no zone is configured (the DNS rules are skipped then).</param>
    /// <param name="reverseNames">The PTR name known for an address; null when addresses are not named (the PTR rule is skipped then).</param>
    public static List<Finding> Run(ClusterState state, IReadOnlyList<HostTunnelState> tunnels, IReadOnlyDictionary<string, TunnelSettings> settings,
        Func<HostRow, bool> silent, IReadOnlyList<string>? netreg, DnsRecords? dns = null, Func<string, AddressName?>? reverseNames = null)
    {
        var audit = new ClusterAudit(state, silent);
        var findings = new List<Finding>();
        findings.AddRange(audit.DuplicateMacs());
        findings.AddRange(audit.IpConflicts());
        findings.AddRange(audit.VmsRunningTwice());
        findings.AddRange(audit.VmsDefinedTwice());
        findings.AddRange(audit.PrefixOverlaps(settings));
        findings.AddRange(audit.NatPrefixesOutsideTunnels(settings));
        findings.AddRange(audit.TunnelFindings(tunnels));
        findings.AddRange(audit.OrphanedLeases());
        findings.AddRange(audit.ExhaustedPools());
        findings.AddRange(audit.UnobservableNics());
        findings.AddRange(audit.FlipFlops());
        findings.AddRange(state.Hosts.Where(silent).Select(SilentHost));
        if (netreg is not null)
        {
            findings.AddRange(audit.Unregistered(netreg));
        }
        if (dns is not null)
        {
            findings.AddRange(audit.DnsRecordFindings(dns));
        }
        if (reverseNames is not null)
        {
            findings.AddRange(audit.PtrNamesOtherVm(reverseNames));
        }
        return findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Rule, StringComparer.Ordinal)
            .ThenBy(f => f.Summary, StringComparer.Ordinal)
            .ToList();
    }

    private bool IsLive(long hostId) => live.ContainsKey(hostId);

    private string VmName(long hostId, string uuid) => domains.TryGetValue((hostId, uuid), out var d) ? d.Name : uuid;

    private IEnumerable<Finding> DuplicateMacs() =>
        Repeated(state.Nics.Where(n => IsLive(n.HostId)), n => n.Mac).OrderBy(n => names[n.HostId], StringComparer.Ordinal)
            .GroupBy(n => n.Mac, StringComparer.Ordinal)
            .Where(g => g.Select(n => n.DomainUuid).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => Build(AuditRules.DuplicateMac, Severity.Critical,
                $"{g.Key} is the MAC of {g.Select(n => n.DomainUuid).Distinct(StringComparer.Ordinal).Count()} VMs: {Vms(g.Select(n => (n.HostId, n.DomainUuid)))}",
                "Give all but one of these VMs a new MAC (virsh edit, then restart it); traffic to this MAC reaches only one of them.",
                [g.Key, .. g.Select(n => VmName(n.HostId, n.DomainUuid)).Distinct(StringComparer.Ordinal)],
                g.Select(n => Evidence(n.HostId, SourceNames.Libvirt, n.ValidFrom, $"NIC of {VmName(n.HostId, n.DomainUuid)} ({n.DomainUuid})"))));

    /// <summary>
    /// Addresses conflict only within one layer-2 segment. Every host's NAT bridge is a segment of
    /// its own (192.168.122.x repeats on every host by design); the LAN is shared by all hosts'
    /// forward bridges. Link-local addresses are per link.
    /// </summary>
    private IEnumerable<Finding> IpConflicts()
    {
        bool Private(BindingRow b) =>
            privateBridges.Contains((b.HostId, b.Device)) || (IpAddressText.IsIpv6(b.Ip) && IPAddress.TryParse(b.Ip, out var ip) && ip.IsIPv6LinkLocal);
        string Segment(BindingRow b) => Private(b) ? $"{b.ObservedOn}/{b.Device}" : "the LAN";
        var shared = Repeated(state.Bindings.Where(b => IsLive(b.HostId)), b => Private(b) ? (b.HostId, b.Device, b.Ip) : (0L, "", b.Ip));
        return shared.OrderBy(b => b.ObservedOn, StringComparer.Ordinal)
            .GroupBy(b => (Segment: Segment(b), b.Ip))
            .Where(g => g.Select(b => b.Mac).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => Build(AuditRules.IpConflict, Severity.Critical,
                $"{g.Key.Ip} is bound to {string.Join(" and ", g.Select(b => b.Mac).Distinct(StringComparer.Ordinal))} at once on {g.Key.Segment}",
                $"Find which MAC should have {g.Key.Ip} (daemonnet history {g.Key.Ip}) and correct the other's static address or DHCP reservation.",
                [g.Key.Ip, .. g.Select(b => b.Mac).Distinct(StringComparer.Ordinal)],
                g.Select(b => Evidence(b.HostId, Source(b), b.ValidFrom, $"{b.Ip} → {b.Mac} on {b.Device}"))));
    }

    /// <summary>
    /// The items whose key occurs more than once, in their order. A rule about duplicates sorts and
    /// groups only these: sorting and grouping the whole cluster to find a few duplicates allocated
    /// most of an audit's memory (bench audit: 190 of 290 MiB at 50,000 VMs).
    /// </summary>
    private static List<T> Repeated<T, TKey>(IEnumerable<T> items, Func<T, TKey> key, IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull
    {
        var keyed = items.Select(item => (Item: item, Key: key(item))).ToList();
        var counts = new Dictionary<TKey, int>(comparer);
        foreach (var (_, itemKey) in keyed)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, itemKey, out _)++;
        }
        return keyed.Where(k => counts[k.Key] > 1).Select(k => k.Item).ToList();
    }

    private IEnumerable<Finding> VmsRunningTwice()
    {
        var running = state.Domains.Where(d => IsLive(d.HostId) && DomainStates.IsAlive(d.State)).ToList();
        foreach (var group in ByHost(Repeated(running, d => d.Uuid)).GroupBy(d => d.Uuid, StringComparer.Ordinal).Where(g => Hosts(g) > 1))
        {
            yield return Build(AuditRules.VmRunningTwice, Severity.Critical,
                $"VM {group.First().Name} ({group.Key}) runs on {HostList(group)} at once",
                "Shut it down on all hosts but one, now: two copies write to the same disk and share a MAC.",
                [group.First().Name, group.Key], group.Select(d => Evidence(d.HostId, SourceNames.Libvirt, d.ValidFrom, $"{d.Name} {StateText(d)}")));
        }
        foreach (var group in SharedNames(running))
        {
            yield return Build(AuditRules.VmRunningTwice, Severity.Warning,
                $"Two VMs named {group.Key} run on {HostList(group)}",
                "Rename one of them (virsh domrename): answers by name are ambiguous, and NetReg and DNS know only one.",
                [group.Key, .. group.Select(d => d.Uuid).Distinct(StringComparer.Ordinal)], group.Select(d => Evidence(d.HostId, SourceNames.Libvirt, d.ValidFrom, $"{d.Name} ({d.Uuid}) {StateText(d)}")));
        }
    }

    private IEnumerable<DomainRow> Running() =>
        ByHost(state.Domains.Where(d => IsLive(d.HostId) && DomainStates.IsAlive(d.State)));

    private IOrderedEnumerable<DomainRow> ByHost(IEnumerable<DomainRow> domains) => domains.OrderBy(d => names[d.HostId], StringComparer.Ordinal);

    /// <summary>Domains of one name (in any case) on more than one host, with more than one uuid among them, by host.</summary>
    private IEnumerable<IGrouping<string, DomainRow>> SharedNames(IEnumerable<DomainRow> domains) =>
        ByHost(Repeated(domains, d => d.Name, StringComparer.OrdinalIgnoreCase)).GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .Where(g => Hosts(g) > 1 && g.Select(d => d.Uuid).Distinct(StringComparer.Ordinal).Count() > 1);

    /// <summary>Two VMs sharing a name that already run on two hosts are reported once, by vm-running-twice.</summary>
    private IEnumerable<Finding> VmsDefinedTwice()
    {
        var defined = state.Domains.Where(d => IsLive(d.HostId) && d.Persistent != 0).ToList();
        var runningNames = SharedNames(state.Domains.Where(d => IsLive(d.HostId) && DomainStates.IsAlive(d.State)))
            .Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var group in ByHost(Repeated(defined, d => d.Uuid)).GroupBy(d => d.Uuid, StringComparer.Ordinal).Where(g => Hosts(g) > 1))
        {
            yield return Build(AuditRules.VmDefinedTwice, Severity.Warning,
                $"VM {group.First().Name} ({group.Key}) is defined on {HostList(group)}",
                "Undefine it on the hosts it should not start on (virsh undefine); a migration without --undefinesource leaves a copy behind.",
                [group.First().Name, group.Key], group.Select(d => Evidence(d.HostId, SourceNames.Libvirt, d.ValidFrom, $"{d.Name} defined, {StateText(d)}")));
        }
        foreach (var group in SharedNames(defined).Where(g => !runningNames.Contains(g.Key)))
        {
            yield return Build(AuditRules.VmDefinedTwice, Severity.Warning,
                $"Two VMs named {group.Key} are defined on {HostList(group)}",
                "Rename or undefine one of them: answers by name are ambiguous.",
                [group.Key, .. group.Select(d => d.Uuid).Distinct(StringComparer.Ordinal)], group.Select(d => Evidence(d.HostId, SourceNames.Libvirt, d.ValidFrom, $"{d.Name} ({d.Uuid}) defined, {StateText(d)}")));
        }
    }

    /// <summary>What a host routes: its libvirt networks' and tunnels' global IPv6 prefixes, and the routed prefixes configured for its tunnels.</summary>
    private List<(long HostId, IPNetwork Prefix, string Source, long Since, string Where)> RoutedPrefixes(IReadOnlyDictionary<string, TunnelSettings> settings)
    {
        var prefixes = new List<(long, IPNetwork, string, long, string)>();
        foreach (var network in state.Networks.Where(n => IsLive(n.HostId)))
        {
            prefixes.AddRange(Ipv6Prefix.Globals(network.Cidrs)
                .Select(p => (network.HostId, p, SourceNames.Libvirt, network.ValidFrom, $"network {network.Name} ({network.Bridge})")));
        }
        foreach (var link in state.Links.Where(l => IsLive(l.HostId) && LinkKinds.IsTunnel(l.Kind)))
        {
            prefixes.AddRange(Ipv6Prefix.Globals(link.Cidrs).Select(p => (link.HostId, p, SourceNames.Kernel, link.ValidFrom, $"tunnel {link.Name}")));
        }
        foreach (var (hostId, tunnel, prefix) in DeclaredPrefixes(settings))
        {
            prefixes.Add((hostId, prefix, "collector configuration", 0, $"routed through {tunnel}"));
        }
        return prefixes;
    }

    private IEnumerable<(long HostId, string Tunnel, IPNetwork Prefix)> DeclaredPrefixes(IReadOnlyDictionary<string, TunnelSettings> settings)
    {
        foreach (var (key, setting) in settings)
        {
            var slash = key.IndexOf('/');
            if (slash > 0 && liveIds.TryGetValue(key[..slash], out var hostId) && Ipv6Prefix.TryParseGlobal(setting.RoutedPrefix, out var prefix))
            {
                yield return (hostId, key[(slash + 1)..], prefix);
            }
        }
    }

    private IEnumerable<Finding> PrefixOverlaps(IReadOnlyDictionary<string, TunnelSettings> settings)
    {
        var prefixes = RoutedPrefixes(settings);
        var reported = new HashSet<(string, string)>();
        foreach (var a in prefixes)
        {
            foreach (var b in prefixes.Where(b => b.HostId > a.HostId && Ipv6Prefix.Overlap(a.Prefix, b.Prefix)))
            {
                var pair = ($"{names[a.HostId]} {a.Prefix}", $"{names[b.HostId]} {b.Prefix}");
                if (reported.Add(pair))
                {
                    yield return Build(AuditRules.Ipv6PrefixOverlap, Severity.Critical,
                        $"{names[a.HostId]} routes {a.Prefix} and {names[b.HostId]} routes {b.Prefix}: they overlap",
                        "Give each host its own prefix from its own tunnel's delegation; traffic for the overlap reaches only one host.",
                        [a.Prefix.ToString(), b.Prefix.ToString(), names[a.HostId], names[b.HostId]],
                        [Evidence(a.HostId, a.Source, a.Since, $"{a.Prefix} on {a.Where}"), Evidence(b.HostId, b.Source, b.Since, $"{b.Prefix} on {b.Where}")]);
                }
            }
        }
    }

    /// <summary>
    /// A NAT network's IPv6 prefix must lie in what the host's tunnels bring in: the routed prefixes
    /// configured for them, or, when none is configured, the tunnels' own prefixes.
    /// </summary>
    private IEnumerable<Finding> NatPrefixesOutsideTunnels(IReadOnlyDictionary<string, TunnelSettings> settings)
    {
        var declared = DeclaredPrefixes(settings).ToLookup(d => d.HostId, d => d.Prefix);
        var tunnelsByHost = state.Links.Where(l => LinkKinds.IsTunnel(l.Kind)).ToLookup(l => l.HostId);
        foreach (var network in state.Networks.Where(n => IsLive(n.HostId) && n.ForwardMode != "bridge"))
        {
            var allowed = declared[network.HostId].ToList();
            if (allowed.Count == 0)
            {
                allowed = tunnelsByHost[network.HostId].SelectMany(l => Ipv6Prefix.Globals(l.Cidrs)).ToList();
            }
            foreach (var cidr in network.Cidrs)
            {
                if (!Ipv6Prefix.TryParseGlobal(cidr, out var prefix) || allowed.Any(a => Ipv6Prefix.Within(prefix, a)))
                {
                    continue;
                }
                var host = names[network.HostId];
                yield return Build(AuditRules.NatPrefixOutsideTunnel, Severity.Warning,
                    allowed.Count == 0
                        ? $"{host}: network {network.Name} hands out {prefix}, but no tunnel on {host} brings IPv6 in"
                        : $"{host}: network {network.Name} hands out {prefix}, outside what its tunnels route ({string.Join(", ", allowed)})",
                    $"Use a prefix from {host}'s tunnel delegation on {network.Bridge}, or declare the routed prefix with --routed-prefix {host}/TUNNEL=PREFIX.",
                    [prefix.ToString(), $"{host}/{network.Name}"],
                    [Evidence(network.HostId, SourceNames.Libvirt, network.ValidFrom, $"{cidr} on {network.Bridge}")]);
            }
        }
    }

    private IEnumerable<Finding> TunnelFindings(IReadOnlyList<HostTunnelState> hosts)
    {
        foreach (var host in hosts.Where(h => IsLive(h.Host.Id)))
        {
            var hostId = host.Host.Id;
            foreach (var tunnel in host.Tunnels)
            {
                var name = $"{host.Host.Name}/{tunnel.Name}";
                var since = tunnel.Since;
                var configuredAt = tunnel.Configured is { } c ? $"{c.File}:{c.Line}" : "";
                if (tunnel.Present && tunnel.Operstate is "DOWN" or "LOWERLAYERDOWN" or "NOTPRESENT")
                {
                    yield return Build(AuditRules.TunnelDown, Severity.Critical, $"Tunnel {name} is {tunnel.Operstate}",
                        $"Bring it up (ifup {tunnel.Name}) and check that {tunnel.Remote} answers; the IPv6 it routes is unreachable meanwhile.",
                        [name], [Evidence(hostId, SourceNames.Kernel, since, $"{tunnel.Kind} {tunnel.Local} → {tunnel.Remote}, operstate {tunnel.Operstate}")]);
                }
                if (tunnel.Drift.Contains(TunnelDrift.Missing))
                {
                    var auto = tunnel.Configured is { Auto: not 0 };
                    yield return Build(AuditRules.TunnelMissing, auto ? Severity.Critical : Severity.Info,
                        $"Tunnel {name} is configured{(auto ? " to come up at boot" : "")} but does not exist",
                        $"Bring it up with ifup {tunnel.Name} and read its errors; or remove the stanza at {configuredAt}.",
                        [name], [Evidence(hostId, SourceNames.Interfaces, 0, $"{tunnel.Kind} to {tunnel.Remote} at {configuredAt}")]);
                }
                if (tunnel.Drift.Contains(TunnelDrift.EndpointDiffers))
                {
                    yield return Build(AuditRules.TunnelEndpointDrift, Severity.Warning,
                        $"Tunnel {name} runs {tunnel.Local} → {tunnel.Remote}, but {configuredAt} says {Or(tunnel.Configured!.Local)} → {tunnel.Configured.Endpoint}",
                        $"Decide which is right: ifdown/ifup {tunnel.Name} to apply the file, or correct the file so the next boot keeps the running tunnel.",
                        [name], [Evidence(hostId, SourceNames.Kernel, since, $"running: {tunnel.Local} → {tunnel.Remote}"), Evidence(hostId, SourceNames.Interfaces, 0, $"configured: {Or(tunnel.Configured.Local)} → {tunnel.Configured.Endpoint}")]);
                }
                if (tunnel.Drift.Contains(TunnelDrift.Unconfigured))
                {
                    yield return Build(AuditRules.TunnelUnconfigured, Severity.Info,
                        $"Tunnel {name} exists but no interfaces file configures it",
                        "Add a stanza for it so it survives a reboot, or delete it if it is a leftover.",
                        [name], [Evidence(hostId, SourceNames.Kernel, since, $"{tunnel.Kind} {tunnel.Local} → {tunnel.Remote}")]);
                }
                var peak = tunnel.Traffic.PeakP95;
                if (tunnel.LimitBitsPerSecond > 0 && peak >= NearLimit * tunnel.LimitBitsPerSecond)
                {
                    yield return Build(AuditRules.TunnelNearLimit, peak >= tunnel.LimitBitsPerSecond ? Severity.Critical : Severity.Warning,
                        $"Tunnel {name} carries {BitRate.Format(peak)} at the 95th percentile, {100 * peak / tunnel.LimitBitsPerSecond:0}% of its {BitRate.Format(tunnel.LimitBitsPerSecond)} limit",
                        "Move VMs to a host with another tunnel, or add a tunnel to spread the load.",
                        [name], [Evidence(hostId, "kernel counters", 0, $"rx p95 {BitRate.Format(tunnel.Traffic.RxP95BitsPerSecond)}, tx p95 {BitRate.Format(tunnel.Traffic.TxP95BitsPerSecond)} over {tunnel.Traffic.Intervals} intervals")]);
                }
            }
        }
    }

    /// <summary>
    /// A lease dnsmasq still holds for a MAC that no VM on its host has: the VM was undefined, and
    /// the address stays taken until the lease runs out. A lease of a VM that is not running is
    /// only information: the address comes back when the VM starts.
    /// </summary>
    private IEnumerable<Finding> OrphanedLeases()
    {
        var vmOfMac = state.Nics.GroupBy(n => (n.HostId, n.Mac)).ToDictionary(g => g.Key, g => g.First().DomainUuid);
        foreach (var lease in state.Bindings.Where(b => IsLive(b.HostId) && (EvidenceSource)b.Source == EvidenceSource.Lease)
            .OrderBy(b => names[b.HostId], StringComparer.Ordinal).ThenBy(b => b.Ip, StringComparer.Ordinal))
        {
            var until = lease.LeaseExpiry is { } expiry ? $"until {StoredTime.ToInstant(expiry):u}" : "for ever (an infinite lease)";
            var evidence = Evidence(lease.HostId, lease.Words, lease.ValidFrom, $"{lease.Ip} → {lease.Mac} on {lease.Device}, {until}");
            if (!vmOfMac.TryGetValue((lease.HostId, lease.Mac), out var uuid))
            {
                yield return Build(AuditRules.LeaseOrphaned, Severity.Warning,
                    $"{names[lease.HostId]}/{lease.Device} leases {lease.Ip} to {lease.Mac}, which no VM on {names[lease.HostId]} has",
                    $"If the VM is gone for good, release the address (delete its line from {lease.Device}.status with the network stopped, or let it expire); no other VM gets it {until}.",
                    [lease.Ip, lease.Mac], [evidence]);
            }
            else if (domains.TryGetValue((lease.HostId, uuid), out var domain) && !DomainStates.IsAlive(domain.State))
            {
                yield return Build(AuditRules.LeaseOrphaned, Severity.Info,
                    $"{domain.Name} on {names[lease.HostId]} is {StateText(domain)} but holds its lease of {lease.Ip} {until}",
                    "Nothing to do while the VM is to come back; undefine it, and the lease runs out, when it is not.",
                    [lease.Ip, lease.Mac, domain.Name], [evidence]);
            }
        }
    }

    /// <summary>
    /// A running VM's macvtap or passed-through NIC: its traffic never crosses the host's stack, so
    /// only the guest agent can say its address. Without that, the inventory cannot know it.
    /// </summary>
    private IEnumerable<Finding> UnobservableNics()
    {
        var withGuestAgent = state.Bindings.Where(b => (EvidenceSource)b.Source == EvidenceSource.GuestAgent).Select(b => b.Mac).ToHashSet(StringComparer.Ordinal);
        return state.Nics
            .Where(n => IsLive(n.HostId) && (NicKind)n.Kind is NicKind.Direct or NicKind.Other && !withGuestAgent.Contains(n.Mac))
            .Where(n => domains.TryGetValue((n.HostId, n.DomainUuid), out var d) && DomainStates.IsAlive(d.State))
            .OrderBy(n => names[n.HostId], StringComparer.Ordinal).ThenBy(n => n.Mac, StringComparer.Ordinal)
            .Select(n => Build(AuditRules.NicUnobservable, Severity.Info,
                $"{VmName(n.HostId, n.DomainUuid)} on {names[n.HostId]} has NIC {n.Mac} ({((NicKind)n.Kind == NicKind.Direct ? $"macvtap on {n.Bridge}" : "passed through")}), whose address the host cannot see",
                $"Install the qemu guest agent in {VmName(n.HostId, n.DomainUuid)} (and its channel in the domain XML) so that its addresses are known, or attach the NIC to a bridge.",
                [n.Mac, VmName(n.HostId, n.DomainUuid)],
                [Evidence(n.HostId, SourceNames.Libvirt, n.ValidFrom, $"NIC kind {((NicKind)n.Kind).ToString().ToLowerInvariant()}, no lease or neighbour entry possible")]));
    }

    /// <summary>Each live network's IPv4 DHCP ranges against the unexpired leases inside them.</summary>
    private IEnumerable<Finding> ExhaustedPools()
    {
        foreach (var pool in DhcpPools.Of(state).Where(p => IsLive(p.HostId) && p.Share >= PoolWarning).OrderBy(p => names[p.HostId], StringComparer.Ordinal))
        {
            var host = names[pool.HostId];
            var network = pool.Network;
            yield return Build(AuditRules.PoolExhaustion, pool.Share >= PoolCritical ? Severity.Critical : Severity.Warning,
                $"{host}: network {network.Name} has leased {pool.Leased} of the {pool.Size} addresses of {pool.Start}–{pool.End} ({100 * pool.Share:0}%)",
                $"Widen the DHCP range (virsh net-edit {network.Name}), shorten the lease time, or clean up leases left behind (see lease-orphaned); a new VM gets no IPv4 when it runs out.",
                [$"{host}/{network.Name}"], [Evidence(pool.HostId, Facts.Evidence.Words((long)EvidenceSource.Lease, 0), 0, $"{pool.Leased} unexpired leases in {pool.Start}–{pool.End} on {network.Bridge}")]);
        }
    }

    /// <summary>
    /// The agent reports a pair seen on the wire for 15 minutes after it was last seen, so a MAC
    /// with several IPv4 addresses seen at once has announced them all within that time.
    /// </summary>
    private IEnumerable<Finding> FlipFlops() =>
        state.Bindings.Where(b => IsLive(b.HostId) && (EvidenceSource)b.Source == EvidenceSource.Capture && !IpAddressText.IsIpv6(b.Ip))
            .OrderBy(b => b.ObservedOn, StringComparer.Ordinal).ThenBy(b => b.ValidFrom)
            .GroupBy(b => (b.HostId, b.Mac))
            .Where(g => g.Select(b => b.Ip).Distinct(StringComparer.Ordinal).Count() >= FlipFlopAddresses)
            .Select(g => Build(AuditRules.FlipFlop, Severity.Warning,
                $"{g.Key.Mac} announced {g.Select(b => b.Ip).Distinct(StringComparer.Ordinal).Count()} IPv4 addresses on {names[g.Key.HostId]}'s bridges within 15 minutes: {string.Join(", ", g.Select(b => b.Ip).Distinct(StringComparer.Ordinal))}",
                $"Find out why it keeps changing its address: a misconfigured or fighting DHCP client, or ARP spoofing from that machine (daemonnet history {g.Key.Mac}).",
                [g.Key.Mac, .. g.Select(b => b.Ip).Distinct(StringComparer.Ordinal)],
                g.Select(b => Evidence(b.HostId, Source(b), b.ValidFrom, $"{b.Ip} → {b.Mac} on {b.Device}"))));

    /// <summary>This many IPv4 addresses from one MAC within the capture window are a flip flop.</summary>
    public const int FlipFlopAddresses = 3;

    /// <summary>A pool this full is a warning, and this full critical.</summary>
    public const double PoolWarning = 0.8;

    public const double PoolCritical = 0.95;

    private static Finding SilentHost(HostRow host) => Build(AuditRules.HostSilent, Severity.Warning,
        $"Host {host.Name} has not reported since {StoredTime.ToInstant(host.LastReport):u}",
        $"Check that daemonnet-agent runs on {host.Name} (systemctl status daemonnet-agent) and reaches the collector; its facts are left out of the other rules.",
        [host.Name], [new EvidenceItem(host.Name, "collector", host.LastReport, "last report")]);

    /// <summary>A forward-bridge NIC sits on the physical LAN: a bridge-type NIC on a bridge no NAT network owns, or a NIC on a libvirt network in bridge mode.</summary>
    private IEnumerable<Finding> Unregistered(IEnumerable<string> netreg)
    {
        var registered = netreg.Select(m => MacAddressText.TryNormalize(m, out var mac) ? mac : "").ToHashSet(StringComparer.Ordinal);
        var forwardNetworks = state.Networks.Where(n => n.ForwardMode == "bridge").Select(n => (n.HostId, n.Name)).ToHashSet();
        return state.Nics
            .Where(n => IsLive(n.HostId) && !registered.Contains(n.Mac))
            .Where(n => (NicKind)n.Kind == NicKind.Network ? forwardNetworks.Contains((n.HostId, n.Network))
                : (NicKind)n.Kind == NicKind.Bridge && !privateBridges.Contains((n.HostId, n.Bridge)))
            .Select(n => Build(AuditRules.NetregUnregistered, Severity.Warning,
                $"{VmName(n.HostId, n.DomainUuid)} on {names[n.HostId]} uses {n.Mac} on the LAN, which NetReg does not list",
                $"Register {n.Mac} in NetReg for {VmName(n.HostId, n.DomainUuid)}; until then the LAN may refuse it.",
                [n.Mac, VmName(n.HostId, n.DomainUuid)],
                [Evidence(n.HostId, SourceNames.Libvirt, n.ValidFrom, $"NIC on {NicNetworks.NameOf(n.Network, n.Bridge)}")]));
    }

    private static int Hosts(IEnumerable<DomainRow> group) => group.Select(d => d.HostId).Distinct().Count();

    private string HostList(IEnumerable<DomainRow> group) => string.Join(" and ", group.Select(d => names[d.HostId]).Distinct(StringComparer.Ordinal));

    private string Vms(IEnumerable<(long HostId, string Uuid)> nics) =>
        string.Join(", ", nics.Distinct().Select(n => $"{VmName(n.HostId, n.Uuid)} on {names[n.HostId]}"));

    /// <summary>
    /// The zone's AAAA records against the running VMs' global IPv6 addresses. A record's first label
    /// names the VM it is for (web1.club.example is web1's); a record whose label names no VM is an
    /// alias, checked only for pointing at nothing.
    /// </summary>
    private IEnumerable<Finding> DnsRecordFindings(DnsRecords dns)
    {
        if (dns.Error is { } error)
        {
            yield return Build(AuditRules.DnsCheckFailed, Severity.Warning, $"The AAAA records of zone {dns.Zone} could not be listed: {error}",
                "Fix what the sentence names; the other DNS rules are checked again at the next listing.", [dns.Zone],
                [new EvidenceItem("", "cloudflare", null, error)]);
            yield break;
        }
        if (dns.Records is null)
        {
            yield break;
        }
        var running = Running().ToList();
        var alive = running.Select(d => (d.HostId, d.Uuid)).ToHashSet();
        var nicOwner = state.Nics.Where(n => alive.Contains((n.HostId, n.DomainUuid))).GroupBy(n => n.Mac, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var holders = state.Bindings
            .Where(b => IsLive(b.HostId) && nicOwner.ContainsKey(b.Mac) && IPAddress.TryParse(b.Ip, out var ip)
                && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !ip.IsIPv6LinkLocal)
            .Select(b => (Binding: b, Vm: domains[(nicOwner[b.Mac].HostId, nicOwner[b.Mac].DomainUuid)]))
            .ToLookup(h => h.Binding.Ip, StringComparer.Ordinal);
        var byName = running.ToLookup(d => d.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var record in dns.Records.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var label = record.Name.Split('.')[0];
            var owners = byName[label].ToList();
            var holder = holders[record.Address].FirstOrDefault();
            EvidenceItem RecordEvidence() => new("", "cloudflare", dns.ListedAt?.ToUnixTimeMilliseconds(), $"AAAA {record.Name} → {record.Address}{(record.Proxied ? " (proxied)" : "")}");
            EvidenceItem HolderEvidence((BindingRow Binding, DomainRow Vm) h) =>
                Evidence(h.Binding.HostId, Source(h.Binding), h.Binding.ValidFrom, $"{h.Binding.Ip} → {h.Binding.Mac} of {h.Vm.Name} on {h.Binding.Device}");
            if (holder.Vm is null)
            {
                yield return Build(AuditRules.DnsDangling, Severity.Warning, $"{record.Name} points at {record.Address}, which no running VM holds",
                    $"Delete the record, or point it at the VM's address now (daemonnet where {label}); until then it leads nowhere.",
                    [record.Name, record.Address], [RecordEvidence()]);
            }
            else if (owners.Count > 0 && owners.All(o => o.Uuid != holder.Vm.Uuid))
            {
                yield return Build(AuditRules.DnsDangling, Severity.Critical,
                    $"{record.Name} points at {record.Address}, which {holder.Vm.Name} on {names[holder.Binding.HostId]} holds now, not {label}",
                    $"Point the record at {label}'s address now (daemonnet where {label}), at once: visitors of {record.Name} reach another member's VM.",
                    [record.Name, record.Address, holder.Vm.Name], [RecordEvidence(), HolderEvidence(holder)]);
            }
            var owned = owners.SelectMany(o => holders.SelectMany(h => h).Where(h => h.Vm.Uuid == o.Uuid)).ToList();
            if (owned.Count > 0 && owned.All(h => h.Binding.Ip != record.Address))
            {
                var now = owned.Select(h => h.Binding.Ip).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                yield return Build(AuditRules.DnsStale, Severity.Warning, $"{record.Name} points at {record.Address}, but {label} has {string.Join(" and ", now)} now",
                    $"Update the record to {now[0]} in Cloudflare; {label}'s address changed since the record was made.",
                    [record.Name, record.Address, label], [RecordEvidence(), .. owned.Select(HolderEvidence)]);
            }
        }
    }

    /// <summary>
    /// A running VM's address whose PTR name's first label is another VM's name: whoever follows
    /// the name (a log, an abuse report) blames the wrong member.
    /// </summary>
    private IEnumerable<Finding> PtrNamesOtherVm(Func<string, AddressName?> reverseNames)
    {
        var running = Running().ToList();
        var alive = running.Select(d => (d.HostId, d.Uuid)).ToHashSet();
        var nicOwner = state.Nics.Where(n => alive.Contains((n.HostId, n.DomainUuid))).GroupBy(n => n.Mac, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => domains[(g.First().HostId, g.First().DomainUuid)], StringComparer.Ordinal);
        var vmNames = state.Domains.Where(d => IsLive(d.HostId)).Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var binding in state.Bindings.Where(b => IsLive(b.HostId) && nicOwner.ContainsKey(b.Mac))
            .DistinctBy(b => (b.Ip, b.Mac)).OrderBy(b => b.Ip, StringComparer.Ordinal))
        {
            var holder = nicOwner[binding.Mac];
            if (reverseNames(binding.Ip) is not { } name)
            {
                continue;
            }
            var label = name.Name.Split('.')[0];
            if (vmNames.Contains(label) && !string.Equals(label, holder.Name, StringComparison.OrdinalIgnoreCase))
            {
                yield return Build(AuditRules.PtrNamesOtherVm, Severity.Warning,
                    $"{binding.Ip} is named {name.Name}, but {holder.Name} on {names[holder.HostId]} holds it, not {label}",
                    $"Change the PTR record of {binding.Ip} to name {holder.Name} (or remove it): logs and abuse reports that follow the name reach {label}'s member.",
                    [binding.Ip, name.Name, holder.Name, label],
                    [Evidence(binding.HostId, Source(binding), binding.ValidFrom, $"{binding.Ip} → {binding.Mac} of {holder.Name} on {binding.Device}"),
                     new EvidenceItem("", "dns", null, $"PTR {binding.Ip} → {name.Name}{(name.Confirmed ? "" : " (does not resolve back)")}")]);
            }
        }
    }

    private static string StateText(DomainRow domain) => ((Protos.V1.DomainState)domain.State).ToString().ToLowerInvariant();

    private static string Source(BindingRow binding) => binding.Words;

    private static string Or(string local) => local.Length > 0 ? local : "any";

    private EvidenceItem Evidence(long hostId, string source, long since, string detail) => new(names[hostId], source, since > 0 ? since : null, detail);

    private static Finding Build(string rule, Severity severity, string summary, string action, IEnumerable<string> objects, IEnumerable<EvidenceItem> evidence) =>
        new(rule, severity, summary, [.. objects], [.. evidence], action);
}
