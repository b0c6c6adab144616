using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Tests;

/// <summary>Snapshots as an agent would send them, built in a line or two.</summary>
internal static class Snapshots
{
    public static readonly DateTimeOffset AgentClock = DateTimeOffset.Parse("2026-11-03T14:00:00Z");

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
}
