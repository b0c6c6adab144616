using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>Turns a snapshot into the facts it states, table by table.</summary>
public static class SnapshotFacts
{
    /// <summary>Neighbour states that show a live binding; FAILED and INCOMPLETE show none, NOARP is not about a peer.</summary>
    public static bool IsEvidence(NeighbourState state) => state is NeighbourState.Reachable or NeighbourState.Stale
        or NeighbourState.Delay or NeighbourState.Probe or NeighbourState.Permanent;

    public static IEnumerable<DomainFact> Domains(HostSnapshot snapshot) =>
        snapshot.Domains.Select(d => new DomainFact(d.Uuid, d.Name, (long)d.State, d.Persistent ? 1 : 0));

    public static IEnumerable<NicFact> Nics(HostSnapshot snapshot) =>
        snapshot.Domains.SelectMany(d => d.Nics.Select(n =>
            new NicFact(d.Uuid, n.Mac, (long)n.Kind, n.Network, n.Bridge, n.TargetDev)));

    public static IEnumerable<NetworkFact> Networks(HostSnapshot snapshot) =>
        snapshot.Networks.Select(n => new NetworkFact(n.Name, n.Uuid, n.Bridge, n.ForwardMode, n.Active ? 1 : 0,
            string.Join(' ', n.Addresses.Select(a =>
                a.Cidr + string.Concat(a.DhcpRanges.Select(r => $" dhcp={r.Start}-{r.End}"))))));

    public static IEnumerable<LinkFact> Links(HostSnapshot snapshot) =>
        snapshot.Links.Select(l => new LinkFact(l.Name, l.Kind, l.Mac, l.Master, l.Operstate, l.Mtu, string.Join(' ', l.Addresses),
            l.Tunnel?.Local ?? "", l.Tunnel?.Remote ?? "", l.Tunnel?.Ttl ?? 0));

    public static IEnumerable<ConfiguredFact> Configured(HostSnapshot snapshot) =>
        snapshot.Configured.Select(c => new ConfiguredFact(c.Name, c.Family, c.Method, c.Auto ? 1 : 0, c.Address, c.Netmask, c.Endpoint,
            c.Local, c.Ttl, c.Gateway, c.Mode, string.Join(' ', c.BridgePorts), c.File, c.Line));

    public static IEnumerable<BindingFact> NeighbourBindings(HostSnapshot snapshot) =>
        snapshot.Neighbours
            .Where(n => n.Mac.Length > 0 && IsEvidence(n.State))
            .Select(n => new BindingFact(n.Mac, n.Ip, (long)AddressSource.Neighbour, n.Device, (long)n.State, "", "", null));

    public static IEnumerable<BindingFact> GuestAgentBindings(HostSnapshot snapshot) =>
        snapshot.GuestAddresses.Select(a => new BindingFact(a.Mac, a.Ip, (long)AddressSource.GuestAgent, a.Device, 0, "", "", null));

    /// <summary>
    /// What the agent saw on the wire: holdings, or (<paramref name="claims"/>) addresses only claimed
    /// so far. The time last seen is moved to the collector's clock by its age on the agent's (the
    /// snapshot's time minus it), and kept to the minute.
    /// </summary>
    public static IEnumerable<BindingFact> CapturedBindings(HostSnapshot snapshot, bool claims, long now)
    {
        var agentNow = snapshot.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds();
        return snapshot.Captured.Where(c => c.Claim == claims).Select(c =>
        {
            long? seenAt = agentNow is { } agent && c.LastSeen is { } seen
                ? Math.Min(now, now - Math.Max(0, agent - seen.ToDateTimeOffset().ToUnixTimeMilliseconds()))
                : null;
            return new BindingFact(c.Mac, c.Ip, (long)(claims ? AddressSource.Claim : AddressSource.Capture), c.Device, 0, "", "", null,
                seenAt is { } at ? at - at % 60_000 : null);
        });
    }

    /// <summary>Leases already expired by the agent's own clock (the clock that wrote the expiry) are not evidence.</summary>
    public static IEnumerable<BindingFact> LeaseBindings(HostSnapshot snapshot)
    {
        var agentNow = snapshot.AgentTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
        return snapshot.Leases
            .Where(l => l.Expiry is null || l.Expiry.ToDateTimeOffset() > agentNow)
            .Select(l => new BindingFact(l.Mac, l.Ip, (long)AddressSource.Lease, l.Bridge, 0, l.Hostname, l.ClientId,
                l.Expiry?.ToDateTimeOffset().ToUnixTimeMilliseconds()));
    }
}
