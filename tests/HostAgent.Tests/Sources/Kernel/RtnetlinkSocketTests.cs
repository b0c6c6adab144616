using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.HostAgent.Tests.Sources.Kernel;

/// <summary>The in-process reader against a real kernel, in a network namespace of the test's own, beside iproute2 on the same tables.</summary>
public class RtnetlinkSocketTests
{
    private static NetworkNamespace HostLike()
    {
        var host = NetworkNamespace.Create("rtnl");
        host.AddBridge("virbr0", "192.168.122.1/24", "2001:db8:122::1/64");
        host.Ip("link", "add", "vnet0", "type", "veth", "peer", "name", "lan0");
        host.Ip("link", "set", "vnet0", "master", "virbr0");
        host.Ip("link", "set", "vnet0", "up");
        host.Ip("link", "set", "lan0", "mtu", "1400", "up");
        host.Ip("addr", "add", "10.203.0.1/24", "dev", "lan0");
        host.Ip("addr", "add", "10.9.0.1", "peer", "10.9.0.2/32", "dev", "lan0");
        host.AddVxlan("vx0", 42, "10.203.0.1", "10.203.0.2", "lan0", "10.204.0.1/24");
        host.SetNeighbour("192.168.122.50", "52:54:00:00:00:50", "virbr0", "reachable");
        host.SetNeighbour("192.168.122.51", "52:54:00:00:00:51", "virbr0", "stale");
        host.SetNeighbour("192.168.122.52", "52:54:00:00:00:52", "virbr0", "permanent");
        host.SetNeighbour("2001:db8:122::53", "52:54:00:00:00:53", "virbr0", "delay");
        host.SetNeighbour("192.168.122.54", "52:54:00:00:00:54", "virbr0", "noarp");
        return host;
    }

    [Fact]
    public async Task DumpTables_InANamespace_AgreeWithIpFieldForField()
    {
        using var host = HostLike();
        using var socket = host.Inside(() => RtnetlinkSocket.Open(0, TimeSpan.FromSeconds(5)));

        // IPv6 link-local addresses come and go while links settle: compare once two reads through ip agree.
        var viaIp = await Eventually.HoldsAsync(() => ReadThroughIp(host), ip => Same(ip, ReadThroughIp(host)), "two reads through ip agree", TimeSpan.FromSeconds(10));
        var viaNetlink = socket.DumpTables();

        Assert.Equal(viaIp.Links, viaNetlink.Links);
        Assert.Equal(viaIp.Neighbours, viaNetlink.Neighbours);
        Assert.Equal(viaIp.Counters.Select(c => (c.Link, c.Ifindex)), viaNetlink.Counters.Select(c => (c.Link, c.Ifindex)));
        Assert.All(viaIp.Counters.Zip(viaNetlink.Counters), pair => Assert.InRange(pair.Second.TxBytes, pair.First.TxBytes, pair.First.TxBytes + 10_000));
        Assert.Contains(viaNetlink.Links, l => l.Name == "vnet0" && l.Master == "virbr0" && l.Kind == "veth");
        Assert.Contains("10.9.0.1/32", viaNetlink.Links.Single(l => l.Name == "lan0").Addresses, StringComparer.Ordinal);
        Assert.Equal(new TunnelEndpoints { Local = "10.203.0.1", Remote = "10.203.0.2", Ttl = 0 }, viaNetlink.Links.Single(l => l.Name == "vx0").Tunnel);
        Assert.Equal(4, viaNetlink.Neighbours.Count(n => n.Device == "virbr0"));
    }

    [Fact]
    public void Receive_SubscribedSocket_HearsANeighbourAdded()
    {
        using var host = HostLike();
        using var socket = host.Inside(() => RtnetlinkSocket.Open(RtnetlinkSocket.KernelSourceGroups, TimeSpan.FromSeconds(1)));
        var buffer = new byte[64 * 1024];
        while (socket.Receive(buffer) > 0)
        {
            // Drain what setting up the namespace announced.
        }

        host.SetNeighbour("192.168.122.60", "52:54:00:00:00:60", "virbr0", "reachable");

        // Late announcements of the set-up (an IPv6 address settling) may come first: read on until
        // a neighbour announcement, for at most ten datagrams or a second of quiet.
        var heard = new List<NetlinkMessage>();
        for (var datagrams = 0; datagrams < 10 && !heard.Any(m => m.Type == RtnetlinkMessages.NewNeighbour); datagrams++)
        {
            var length = socket.Receive(buffer);
            Assert.True(length > 0, $"no neighbour announcement within a second of adding a neighbour; heard {string.Join(", ", heard.Select(m => m.Type))}");
            heard.AddRange(RtnetlinkMessages.Split(buffer.AsSpan(0, length)));
        }
        Assert.Contains(heard, m => m.Type == RtnetlinkMessages.NewNeighbour);
    }

    private static KernelTables ReadThroughIp(NetworkNamespace host)
    {
        var links = host.Ip("-j", "-s", "-d", "addr", "show");
        return new KernelTables(IpJson.ParseLinks(links), IpJson.ParseCounters(links), IpJson.ParseNeighbours(host.Ip("-j", "neigh", "show")));
    }

    private static bool Same(KernelTables a, KernelTables b) => a.Links.SequenceEqual(b.Links) && a.Neighbours.SequenceEqual(b.Neighbours);
}
