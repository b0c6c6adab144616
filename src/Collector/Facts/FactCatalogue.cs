using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Facts;

/// <summary>
/// Every kind of fact the collector keeps as intervals, each declared once: its table and columns,
/// its key, the agent sources that state it and how their part of a snapshot becomes facts, and
/// what the change feed hears of it. Each engine's table (made, or given its missing columns,
/// when the store opens), the ingest writer, the open rows kept between snapshots and the readers'
/// column lists come from here. A new kind is an entry here and its fact record.
/// </summary>
public static class FactCatalogue
{
    private static FactColumn Text(string name, string property) => new(name, property, ColumnType.Text);

    private static FactColumn Integer(string name, string property, bool nullable = false) => new(name, property, ColumnType.Integer, nullable);

    private static FactLookup By(string name, string? expression = null) => new(name, expression ?? name);

    /// <summary>A VM as libvirt defines it on a host: any change (state, name) is a new interval.</summary>
    public static readonly FactKind<DomainFact> Domains = new()
    {
        Table = "domains",
        Columns = [Text("uuid", "Uuid"), Text("name", "Name"), Integer("state", "State"), Integer("persistent", "Persistent")],
        Lookups = [By("name", "lower(name)"), By("uuid")],
        StatedBy = [new(SourceNames.Libvirt, 0, (snapshot, _) => snapshot.Domains.Select(d => new DomainFact(d.Uuid, d.Name, (long)d.State, d.Persistent ? 1 : 0)))],
        Watched = (committed, changes) => committed.Domains(changes),
    };

    /// <summary>A VM's NIC: its MAC on what it is attached to; the tap device changes in place (libvirt renumbers it at every start).</summary>
    public static readonly FactKind<NicFact> Nics = new()
    {
        Table = "nics",
        Columns =
        [
            Text("domain_uuid", "DomainUuid"), Text("mac", "Mac"), Integer("kind", "Kind"), Text("network", "Network"), Text("bridge", "Bridge"),
            Text("target_dev", "TargetDev"),
        ],
        Lookups = [By("mac"), By("domain", "domain_uuid")],
        KeyHash = nic => FactHash<(string, string, long, string, string)>.Of(nic.Key),
        ChangedInPlace = ["target_dev"],
        StatedBy =
        [
            new(SourceNames.Libvirt, 0, (snapshot, _) => snapshot.Domains.SelectMany(d => d.Nics.Select(n =>
                new NicFact(d.Uuid, n.Mac, (long)n.Kind, n.Network, n.Bridge, n.TargetDev)))),
        ],
        Watched = (committed, changes) => committed.Nics(changes),
    };

    /// <summary>
    /// A VM's labels: title, description, owner and tags, from its libvirt XML. They change apart
    /// from its placement, so editing them starts no new placement interval.
    /// </summary>
    public static readonly FactKind<LabelFact> Labels = new()
    {
        Table = "vm_labels",
        Columns = [Text("domain_uuid", "DomainUuid"), Text("title", "Title"), Text("description", "Description"), Text("owner", "Owner"), Text("tags", "Tags")],
        Lookups = [By("domain", "domain_uuid")],
        StatedBy =
        [
            new(SourceNames.Libvirt, 0, (snapshot, _) => snapshot.Domains
                .Where(d => d.Title.Length > 0 || d.Description.Length > 0 || d.Owner.Length > 0 || d.Tags.Count > 0)
                .Select(d => new LabelFact(d.Uuid, d.Title, d.Description, d.Owner, string.Join(' ', d.Tags)))),
        ],
    };

    /// <summary>A libvirt network of a host, with its addresses and DHCP ranges.</summary>
    public static readonly FactKind<NetworkFact> Networks = new()
    {
        Table = "networks",
        Columns =
        [
            Text("name", "Name"), Text("uuid", "Uuid"), Text("bridge", "Bridge"), Text("forward_mode", "ForwardMode"), Integer("active", "Active"),
            Text("addresses", "Addresses"),
        ],
        StatedBy =
        [
            new(SourceNames.Libvirt, 0, (snapshot, _) => snapshot.Networks.Select(n => new NetworkFact(n.Name, n.Uuid, n.Bridge, n.ForwardMode, n.Active ? 1 : 0,
                string.Join(' ', n.Addresses.Select(a => a.Cidr + string.Concat(a.DhcpRanges.Select(r => $" dhcp={r.Start}-{r.End}"))))))),
        ],
    };

    /// <summary>A kernel link of a host, with its addresses and, for a tunnel, its endpoints.</summary>
    public static readonly FactKind<LinkFact> Links = new()
    {
        Table = "links",
        Columns =
        [
            Text("name", "Name"), Text("kind", "Kind"), Text("mac", "Mac"), Text("master", "Master"), Text("operstate", "Operstate"), Integer("mtu", "Mtu"),
            Text("addresses", "Addresses"), Text("tunnel_local", "TunnelLocal"), Text("tunnel_remote", "TunnelRemote"), Integer("tunnel_ttl", "TunnelTtl"),
        ],
        StatedBy =
        [
            new(SourceNames.Kernel, 0, (snapshot, _) => snapshot.Links.Select(l => new LinkFact(l.Name, l.Kind, l.Mac, l.Master, l.Operstate, l.Mtu,
                string.Join(' ', l.Addresses), l.Tunnel?.Local ?? "", l.Tunnel?.Remote ?? "", l.Tunnel?.Ttl ?? 0))),
        ],
    };

    /// <summary>A stanza of a host's interfaces file (ifupdown): what the next boot brings up.</summary>
    public static readonly FactKind<ConfiguredFact> Configured = new()
    {
        Table = "configured_interfaces",
        Columns =
        [
            Text("name", "Name"), Text("family", "Family"), Text("method", "Method"), Integer("auto", "Auto"), Text("address", "Address"),
            Text("netmask", "Netmask"), Text("endpoint", "Endpoint"), Text("local", "Local"), Integer("ttl", "Ttl"), Text("gateway", "Gateway"),
            Text("mode", "Mode"), Text("bridge_ports", "BridgePorts"), Text("file", "File"), Integer("line", "Line"),
        ],
        StatedBy =
        [
            new(SourceNames.Interfaces, 0, (snapshot, _) => snapshot.Configured.Select(c => new ConfiguredFact(c.Name, c.Family, c.Method, c.Auto ? 1 : 0,
                c.Address, c.Netmask, c.Endpoint, c.Local, c.Ttl, c.Gateway, c.Mode, string.Join(' ', c.BridgePorts), c.File, c.Line))),
        ],
    };

    /// <summary>
    /// A MAC bound to an address, with its evidence: one table, one group of rows per evidence
    /// source. The neighbour state, lease expiry, hostname and last sighting change in place; a
    /// binding that ended within the rejoin window continues, unless the host fell silent since
    /// (then new intervals start) or another MAC took the address meanwhile (then the old holder's
    /// binding really ended).
    /// </summary>
    public static readonly FactKind<BindingFact> Bindings = new()
    {
        Table = "bindings",
        Columns =
        [
            Text("mac", "Mac"), Text("ip", "Ip"), Integer("source", "Source"), Text("device", "Device"), Integer("neighbour_state", "NeighbourState"),
            Text("hostname", "Hostname"), Text("client_id", "ClientId"), Integer("lease_expiry", "LeaseExpiry", nullable: true),
            Integer("last_seen", "SeenAt", nullable: true),
        ],
        Lookups = [By("mac"), By("ip")],
        KeyHash = binding => FactHash<(string, string, long, string)>.Of(binding.Key),
        ChangedInPlace = ["neighbour_state", "hostname", "client_id", "lease_expiry", "last_seen"],
        // An open row keeps last_seen only for what the wire showed (when it was last seen); the
        // others get their host's previous report, the last one that showed them.
        ClosingAlso = ", last_seen = coalesce(last_seen, @LastSeen)",
        GroupColumn = "source",
        GroupOf = binding => binding.Source,
        StatedBy =
        [
            new(SourceNames.Kernel, (long)EvidenceSource.Neighbour, (snapshot, _) => snapshot.Neighbours
                .Where(n => n.Mac.Length > 0 && Evidence.Counts((NeighbourEntryState)n.State))
                .Select(n => new BindingFact(n.Mac, n.Ip, (long)EvidenceSource.Neighbour, n.Device, (long)n.State, "", "", null))),
            new(SourceNames.Leases, (long)EvidenceSource.Lease, (snapshot, _) => LeaseBindings(snapshot)),
            new(SourceNames.GuestAgent, (long)EvidenceSource.GuestAgent, (snapshot, _) =>
                snapshot.GuestAddresses.Select(a => new BindingFact(a.Mac, a.Ip, (long)EvidenceSource.GuestAgent, a.Device, 0, "", "", null))),
            new(SourceNames.Capture, (long)EvidenceSource.Capture, (snapshot, now) => CapturedBindings(snapshot, claims: false, now)),
            new(SourceNames.Capture, (long)EvidenceSource.Claim, (snapshot, now) => CapturedBindings(snapshot, claims: true, now)),
        ],
        Watched = (committed, changes) => committed.Bindings(changes),
        // One query finds every such binding of the host and group, on the host index, and the new
        // facts are matched to them in memory: a query per binding was a round trip each to
        // PostgreSQL. "+o.host_id" keeps SQLite on the address index for the takeover check.
        Rejoin = new("""
            SELECT b.id AS Id, b.mac || ' ' || b.ip || ' ' || b.device AS Key FROM bindings b
            WHERE b.host_id = @HostId AND b.source = @Group AND b.valid_to >= @WindowStart
              AND NOT EXISTS (SELECT 1 FROM host_silences s WHERE s.host_id = b.host_id AND s.valid_from >= b.valid_to)
              AND NOT EXISTS (SELECT 1 FROM bindings o WHERE +o.host_id = b.host_id AND o.ip = b.ip AND o.mac <> b.mac AND o.valid_from >= b.valid_to)
            ORDER BY b.valid_to
            """, binding => $"{binding.Mac} {binding.Ip} {binding.Device}"),
    };

    /// <summary>Every kind, in the order a snapshot's facts are written.</summary>
    public static readonly IReadOnlyList<FactKind> All = [Domains, Nics, Labels, Networks, Links, Configured, Bindings];

    /// <summary>
    /// Leases already expired by the agent's own clock (the clock that wrote the expiry) are not
    /// evidence. (An agent leaves them out itself; older ones did not.)
    /// </summary>
    private static IEnumerable<BindingFact> LeaseBindings(HostSnapshot snapshot)
    {
        var agentNow = snapshot.AgentTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
        return snapshot.Leases
            .Where(l => l.Expiry is null || l.Expiry.ToDateTimeOffset() > agentNow)
            .Select(l => new BindingFact(l.Mac, l.Ip, (long)EvidenceSource.Lease, l.Bridge, 0, l.Hostname, l.ClientId,
                l.Expiry?.ToDateTimeOffset().ToUnixTimeMilliseconds()));
    }

    /// <summary>
    /// What the agent saw on the wire: holdings, or (<paramref name="claims"/>) addresses only claimed
    /// so far. The time last seen is moved to the collector's clock by its age on the agent's (the
    /// snapshot's time minus it), and kept to the minute.
    /// </summary>
    private static IEnumerable<BindingFact> CapturedBindings(HostSnapshot snapshot, bool claims, long now)
    {
        var agentNow = snapshot.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds();
        return snapshot.Captured.Where(c => c.Claim == claims).Select(c =>
        {
            long? seenAt = agentNow is { } agent && c.LastSeen is { } seen
                ? Math.Min(now, now - Math.Max(0, agent - seen.ToDateTimeOffset().ToUnixTimeMilliseconds()))
                : null;
            return new BindingFact(c.Mac, c.Ip, (long)(claims ? EvidenceSource.Claim : EvidenceSource.Capture), c.Device, 0, "", "", null,
                seenAt is { } at ? at - at % 60_000 : null);
        });
    }

    /// <summary>
    /// A snapshot in the collector's terms: each source that did not fail states its facts (a
    /// source that failed says nothing of them, so they stay as they were), received at
    /// <paramref name="receivedAt"/> (Unix ms).
    /// </summary>
    public static HostReport Report(HostSnapshot snapshot, long receivedAt)
    {
        var failed = snapshot.Errors.Select(e => e.Source).ToHashSet(StringComparer.Ordinal);
        var facts = new List<StatedFacts>();
        foreach (var kind in All)
        {
            facts.AddRange(kind.Stated(snapshot, receivedAt, failed));
        }
        return new HostReport(snapshot.Host.Name, ContentHash.Of(snapshot), snapshot.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(), facts)
        {
            MachineId = snapshot.Host.MachineId,
            AgentVersion = snapshot.Host.AgentVersion,
            Kernel = snapshot.Host.Kernel,
            IntervalMs = (long)(snapshot.Interval?.ToTimeSpan().TotalMilliseconds ?? 0),
            Failures = [.. snapshot.Errors.Select(e => new SourceFailure(e.Source, e.Message))],
            InterfacesConfigured = !snapshot.InterfacesNotConfigured,
            Counters = Readings(snapshot.Counters),
        };
    }

    /// <summary>A heartbeat in the collector's terms.</summary>
    public static HeartbeatReport Report(Heartbeat heartbeat) =>
        new(heartbeat.HostName, heartbeat.ContentHash, heartbeat.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(), Readings(heartbeat.Counters));

    /// <summary>Counter readings as stored: 64-bit unsigned values kept in signed columns; the writer stamps them with the instant it files them.</summary>
    private static IReadOnlyList<CounterReading> Readings(CounterSample? sample) =>
        sample is null ? [] : [.. sample.Links.Select(l => new CounterReading(l.Link, sample.BootId, l.Ifindex, 0,
            unchecked((long)l.RxBytes), unchecked((long)l.TxBytes), unchecked((long)l.RxPackets), unchecked((long)l.TxPackets)))];
}
