using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.HostAgent.Tests.Sources;

public class IpJsonTests
{
    [Fact]
    public void ParseLinks_RealDump_ReadsKindMasterAndAddresses()
    {
        var links = IpJson.ParseLinks(Fixture.Read("ip-addr.json")).ToDictionary(l => l.Name, StringComparer.Ordinal);

        Assert.Equal(["lo", "br0", "virbr0", "vnet0", "eth0", "vx0"], links.Keys, StringComparer.Ordinal);
        Assert.Equal(("bridge", "UP"), (links["virbr0"].Kind, links["virbr0"].Operstate));
        Assert.Equal(["192.168.122.1/24", "2001:db8:beef:1::1/64"], links["virbr0"].Addresses.Where(a => !a.StartsWith("fe80", StringComparison.Ordinal)), StringComparer.Ordinal);
        Assert.Equal(("veth", "virbr0"), (links["vnet0"].Kind, links["vnet0"].Master));
        Assert.Equal("vxlan", links["vx0"].Kind);
        Assert.Equal("", links["lo"].Kind);
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", links["br0"].Mac);
    }

    [Fact]
    public void ParseNeighbours_RealDump_ReadsEveryStateAndNoMacForUnresolvedEntries()
    {
        var neighbours = IpJson.ParseNeighbours(Fixture.Read("ip-neigh.json")).ToDictionary(n => n.Ip, StringComparer.Ordinal);

        Assert.Equal(new Neighbour { Ip = "192.168.122.45", Mac = "52:54:00:aa:00:01", Device = "virbr0", State = NeighbourState.Reachable }, neighbours["192.168.122.45"]);
        Assert.Equal(NeighbourState.Stale, neighbours["2001:db8:beef:1::45"].State);
        Assert.Equal(NeighbourState.Permanent, neighbours["10.77.0.1"].State);
        Assert.Equal(NeighbourState.Probe, neighbours["10.77.0.51"].State);
        Assert.Equal((NeighbourState.Failed, ""), (neighbours["192.168.122.46"].State, neighbours["192.168.122.46"].Mac));
        Assert.Equal((NeighbourState.Incomplete, ""), (neighbours["192.168.122.47"].State, neighbours["192.168.122.47"].Mac));
    }

    [Fact]
    public void ParseNeighbours_LiveNamespace_SeesWhatTheKernelHolds()
    {
        using var host = NetworkNamespace.Create("ipjson");
        host.AddBridge("virbr0", "192.168.122.1/24", "2001:db8:beef:9::1/64");
        host.SetNeighbour("192.168.122.77", "52:54:00:00:77:01", "virbr0", "reachable");
        host.SetNeighbour("2001:db8:beef:9::77", "52:54:00:00:77:01", "virbr0", "stale");

        var neighbours = IpJson.ParseNeighbours(host.Ip("-j", "neigh", "show"));

        Assert.Contains(new Neighbour { Ip = "192.168.122.77", Mac = "52:54:00:00:77:01", Device = "virbr0", State = NeighbourState.Reachable }, neighbours);
        Assert.Contains(new Neighbour { Ip = "2001:db8:beef:9::77", Mac = "52:54:00:00:77:01", Device = "virbr0", State = NeighbourState.Stale }, neighbours);
    }

    [Theory]
    [InlineData("{", "ip -j neigh show: output is not JSON")]
    [InlineData("{}", "ip -j neigh show: expected a JSON array, found Object")]
    [InlineData("[{\"dst\":\"nope\"}]", "ip -j neigh show: \"dst\" 'nope' is not an IP address")]
    public void ParseNeighbours_BadOutput_SaysWhatIsWrong(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => IpJson.ParseNeighbours(json));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void ParseLinks_EmptyOutput_IsNoLinks()
    {
        Assert.Empty(IpJson.ParseLinks(""));
    }
}
