using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Tests.Support;

/// <summary>
/// The heaviest snapshot the collector accepts: every list at its count limit, with values that
/// stay valid and fit in one message. Each generation changes every fact, so writing it costs
/// the most the store can be made to do for one host in one transaction.
/// </summary>
public static class LargestSnapshot
{
    private static int Limit(string field) => WireLimits.Of(field).MaxCount;

    public static HostSnapshot Build(string host, int generation, DateTimeOffset agentTime)
    {
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = host, MachineId = "m", AgentVersion = "bench", Kernel = "6.1.0" },
            AgentTime = Timestamp.FromDateTimeOffset(agentTime),
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        };
        var nicsPerDomain = Limit("Domain.nics");
        for (var d = 0; d < Limit("HostSnapshot.domains"); d++)
        {
            var domain = new Domain { Uuid = $"{generation:x8}-0000-4000-8000-{d:x12}", Name = $"vm{generation}-{d}", State = DomainState.Running, Persistent = true };
            for (var n = 0; n < nicsPerDomain; n++)
            {
                domain.Nics.Add(new Nic { Mac = Mac(generation, d * nicsPerDomain + n), Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0" });
            }
            snapshot.Domains.Add(domain);
        }
        for (var i = 0; i < Limit("HostSnapshot.networks"); i++)
        {
            snapshot.Networks.Add(new Network { Name = $"net{generation}-{i}", Bridge = $"br{i}", ForwardMode = "nat", Active = true });
        }
        for (var i = 0; i < Limit("HostSnapshot.links"); i++)
        {
            snapshot.Links.Add(new Link { Name = $"l{generation}-{i}", Kind = "veth", Mac = Mac(generation, 100_000 + i), Operstate = "UP", Mtu = 1500 });
        }
        var counters = new CounterSample { BootId = $"boot{generation}" };
        for (var i = 0; i < Limit("CounterSample.links"); i++)
        {
            counters.Links.Add(new LinkCounters { Link = $"l{generation}-{i}", Ifindex = (uint)i, RxBytes = (ulong)generation, TxBytes = (ulong)generation });
        }
        snapshot.Counters = counters;
        for (var i = 0; i < Limit("HostSnapshot.neighbours"); i++)
        {
            snapshot.Neighbours.Add(new Neighbour { Ip = $"10.{generation % 256}.{i / 256}.{i % 256}", Mac = Mac(generation, i), Device = "virbr0", State = NeighbourState.Reachable });
        }
        for (var i = 0; i < Limit("HostSnapshot.leases"); i++)
        {
            snapshot.Leases.Add(new Lease
            {
                Ip = $"172.{16 + generation % 16}.{i / 256}.{i % 256}", Mac = Mac(generation, i), Hostname = $"vm{i}", Bridge = "virbr0",
                Expiry = Timestamp.FromDateTimeOffset(agentTime.AddHours(1)),
            });
        }
        for (var i = 0; i < Limit("HostSnapshot.configured"); i++)
        {
            snapshot.Configured.Add(new ConfiguredInterface { Name = $"eth{generation}-{i}", Family = "inet", Method = "static", Address = "192.0.2.1" });
        }
        return snapshot;
    }

    private static string Mac(int generation, int index) =>
        $"52:54:{generation % 256:x2}:{index >> 16 & 0xff:x2}:{index >> 8 & 0xff:x2}:{index & 0xff:x2}";
}
