using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.HostAgent.Tests.Sources;

public class TunnelLinkTests
{
    [Fact]
    public void ParseLinks_TunnelDump_ReadsEndpointsAndTtlOfEachKind()
    {
        var links = IpJson.ParseLinks(Fixture.Read("ip-addr-tunnels.json")).ToDictionary(l => l.Name, StringComparer.Ordinal);

        var he = links["he-ipv6"];
        Assert.Equal(("sit", "UNKNOWN", 1480u), (he.Kind, he.Operstate, he.Mtu));
        Assert.Equal(new TunnelEndpoints { Local = "203.0.113.10", Remote = "216.66.80.26", Ttl = 255 }, he.Tunnel);
        Assert.Equal("", he.Mac);
        Assert.Contains("2001:470:1f0a:a6f::2/64", he.Addresses, StringComparer.Ordinal);
        Assert.Equal(new TunnelEndpoints { Local = "198.51.100.7", Remote = "198.51.100.99", Ttl = 64 }, links["gre1"].Tunnel);
        Assert.Equal(new TunnelEndpoints { Local = "2001:db8:ffff::1", Remote = "2001:db8:ffff::2", Ttl = 64 }, links["ip6tnl1"].Tunnel);
        Assert.Equal("DOWN", links["ip6tnl1"].Operstate);
    }

    [Fact]
    public void ParseLinks_TunnelWithoutEndpoints_HasEmptyOnes()
    {
        var links = IpJson.ParseLinks(Fixture.Read("ip-addr-tunnels.json")).ToDictionary(l => l.Name, StringComparer.Ordinal);

        Assert.Equal(new TunnelEndpoints(), links["gre0"].Tunnel);
        Assert.Equal(("wireguard", new TunnelEndpoints()), (links["wg0"].Kind, links["wg0"].Tunnel));
    }

    [Fact]
    public void ParseLinks_NonTunnel_HasNoEndpoints()
    {
        var links = IpJson.ParseLinks(Fixture.Read("ip-addr.json")).ToDictionary(l => l.Name, StringComparer.Ordinal);

        Assert.Null(links["br0"].Tunnel);
        Assert.NotNull(links["vx0"].Tunnel);
    }

    [Fact]
    public void ParseCounters_TunnelDump_ReadsFull64BitCountersOfTunnelsOnly()
    {
        var counters = IpJson.ParseCounters(Fixture.Read("ip-addr-tunnels.json")).ToDictionary(c => c.Link, StringComparer.Ordinal);

        Assert.Equal(["he-ipv6", "gre1", "ip6tnl1", "wg0", "gre0"], counters.Keys, StringComparer.Ordinal);
        Assert.Equal(new LinkCounters { Link = "he-ipv6", Ifindex = 5, RxBytes = 18446744073709551000, TxBytes = 734002311, RxPackets = 1893220, TxPackets = 1204551 },
            counters["he-ipv6"]);
    }

    [Fact]
    public void ParseCounters_LiveVxlanWithTraffic_CountsWhatTheTestSent()
    {
        using var a = NetworkNamespace.Create("vxa");
        using var b = NetworkNamespace.Create("vxb");
        a.Ip("link", "add", "under0", "type", "veth", "peer", "name", "under0", "netns", b.Name);
        a.Ip("addr", "add", "10.203.0.1/24", "dev", "under0");
        b.Ip("addr", "add", "10.203.0.2/24", "dev", "under0");
        a.Ip("link", "set", "under0", "up");
        b.Ip("link", "set", "under0", "up");
        a.AddVxlan("vx0", 42, "10.203.0.1", "10.203.0.2", "under0", "10.204.0.1/24");
        b.AddVxlan("vx0", 42, "10.203.0.2", "10.203.0.1", "under0", "10.204.0.2/24");
        a.AddBridge("virbr0", "192.168.122.1/24");

        a.SendUdp("10.204.0.2", 40, 1000);

        var sent = IpJson.ParseCounters(a.Ip("-j", "-s", "-d", "addr", "show")).ToDictionary(c => c.Link, StringComparer.Ordinal);
        var received = IpJson.ParseCounters(b.Ip("-j", "-s", "-d", "addr", "show")).Single(c => c.Link == "vx0");
        Assert.Equal(["vx0", "virbr0"], sent.Keys, StringComparer.Ordinal);
        Assert.InRange(sent["vx0"].TxBytes, 40UL * 1000, 40UL * 1200);
        Assert.InRange(sent["vx0"].TxPackets, 40UL, 50UL);
        Assert.InRange(received.RxBytes, 40UL * 1000, 40UL * 1200);
        var links = IpJson.ParseLinks(a.Ip("-j", "-s", "-d", "addr", "show")).ToDictionary(l => l.Name, StringComparer.Ordinal);
        Assert.Equal(new TunnelEndpoints { Local = "10.203.0.1", Remote = "10.203.0.2" }, links["vx0"].Tunnel);
    }
}
