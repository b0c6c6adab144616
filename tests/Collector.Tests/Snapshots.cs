using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Tests;

/// <summary>Snapshots as an agent would send them, built in a line or two.</summary>
internal static class Snapshots
{
    public static readonly DateTimeOffset AgentClock = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static HostSnapshot Host(string name, params Domain[] domains)
    {
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = name, MachineId = $"machine-{name}", AgentVersion = "0.1.0", Kernel = "6.1.0" },
            AgentTime = Timestamp.FromDateTimeOffset(AgentClock),
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        };
        snapshot.Domains.Add(domains);
        return snapshot;
    }

    public static Domain Vm(string name, int number, DomainState state = DomainState.Running, params Nic[] nics)
    {
        var domain = new Domain { Name = name, Uuid = Uuid(number), State = state, Persistent = true };
        domain.Nics.Add(nics);
        return domain;
    }

    public static string Uuid(int number) => $"5f0c8a52-1111-4a5e-9c1e-{number:D12}";

    public static Nic NatNic(string mac) => new() { Mac = mac, Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0" };

    public static Nic ForwardNic(string mac) => new() { Mac = mac, Kind = NicKind.Network, Network = "forward-bridge", Bridge = "br0" };

    public static HostSnapshot WithNeighbour(this HostSnapshot snapshot, string ip, string mac, NeighbourState state, string device = "virbr0")
    {
        snapshot.Neighbours.Add(new Neighbour { Ip = ip, Mac = mac, Device = device, State = state });
        return snapshot;
    }

    public static HostSnapshot WithLease(this HostSnapshot snapshot, string ip, string mac, TimeSpan expiresIn, string hostname = "")
    {
        snapshot.Leases.Add(new Lease
        {
            Ip = ip, Mac = mac, Hostname = hostname, Bridge = "virbr0",
            Expiry = Timestamp.FromDateTimeOffset(AgentClock + expiresIn),
        });
        return snapshot;
    }

    public static HostSnapshot WithError(this HostSnapshot snapshot, string source)
    {
        snapshot.Errors.Add(new SourceError { Source = source, Message = $"{source} is down" });
        return snapshot;
    }

    public static HostSnapshot WithNetwork(this HostSnapshot snapshot, string name, string bridge, string forwardMode, params string[] cidrs)
    {
        var network = new Network { Name = name, Uuid = $"uuid-{name}", Bridge = bridge, ForwardMode = forwardMode, Active = true };
        network.Addresses.Add(cidrs.Select(c => new NetworkAddress { Cidr = c }));
        snapshot.Networks.Add(network);
        return snapshot;
    }

    /// <summary>The club's two networks: nat-bridge on virbr0 (with an IPv6 prefix when given) and forward-bridge on br0.</summary>
    public static HostSnapshot WithClubNetworks(this HostSnapshot snapshot, string? ipv6Cidr = null) =>
        snapshot.WithNetwork("nat-bridge", "virbr0", "nat", ipv6Cidr is null ? ["192.168.122.1/24"] : ["192.168.122.1/24", ipv6Cidr])
            .WithNetwork("forward-bridge", "br0", "bridge");

    public static HostSnapshot WithTunnel(this HostSnapshot snapshot, string name, string local, string remote, string operstate = "UNKNOWN",
        string kind = "sit", params string[] addresses)
    {
        var link = new Link { Name = name, Kind = kind, Operstate = operstate, Mtu = 1480, Tunnel = new TunnelEndpoints { Local = local, Remote = remote, Ttl = 255 } };
        link.Addresses.Add(addresses);
        snapshot.Links.Add(link);
        return snapshot;
    }

    /// <summary>An HE-style v4tunnel stanza, as the agent reads it from /etc/network/interfaces.</summary>
    public static HostSnapshot WithConfiguredTunnel(this HostSnapshot snapshot, string name, string local, string endpoint, bool auto = true)
    {
        snapshot.Configured.Add(new ConfiguredInterface
        {
            Name = name, Family = "inet6", Method = "v4tunnel", Auto = auto, Address = "2001:470:1f0a:a6f::2", Netmask = "64",
            Endpoint = endpoint, Local = local, Ttl = 255, Gateway = "2001:470:1f0a:a6f::1", File = "/etc/network/interfaces", Line = 12,
        });
        return snapshot;
    }

    public static HostSnapshot WithCounters(this HostSnapshot snapshot, string link, ulong rxBytes, ulong txBytes, uint ifindex = 5, string bootId = "boot-1")
    {
        snapshot.Counters ??= new CounterSample { BootId = bootId };
        snapshot.Counters.Links.Add(new LinkCounters { Link = link, Ifindex = ifindex, RxBytes = rxBytes, TxBytes = txBytes, RxPackets = rxBytes / 1000, TxPackets = txBytes / 1000 });
        return snapshot;
    }
}
