using DaemonNet.HostAgent.Sources.Libvirt;

namespace DaemonNet.HostAgent.Tests.Sources;

public class NetworkXmlTests
{
    [Fact]
    public void Parse_NatNetworkWithIpv4AndIpv6_ReadsPrefixesAndDhcpRange()
    {
        var network = NetworkXml.Parse(Fixture.Read("libvirt-network-nat-dual-stack.xml"));

        Assert.Equal(("nat-bridge", "virbr0", "nat"), (network.Name, network.Bridge, network.ForwardMode));
        Assert.Equal(["192.168.122.1/24", "2001:db8:beef:1::1/64"], network.Addresses.Select(a => a.Cidr), StringComparer.Ordinal);
        var range = Assert.Single(network.Addresses[0].DhcpRanges);
        Assert.Equal(("192.168.122.2", "192.168.122.254"), (range.Start, range.End));
    }

    [Fact]
    public void Parse_ForwardBridgeNetwork_HasBridgeModeAndNoAddresses()
    {
        var network = NetworkXml.Parse(Fixture.Read("libvirt-network-forward-bridge.xml"));

        Assert.Equal(("forward-bridge", "br0", "bridge"), (network.Name, network.Bridge, network.ForwardMode));
        Assert.Empty(network.Addresses);
    }

    [Theory]
    [InlineData("<network><name>n</name></network>", "")]
    [InlineData("<network><name>n</name><forward/></network>", "nat")]
    [InlineData("<network><name>n</name><forward mode='route'/></network>", "route")]
    public void Parse_ForwardElement_GivesLibvirtsMode(string xml, string mode)
    {
        Assert.Equal(mode, NetworkXml.Parse(xml).ForwardMode);
    }

    [Fact]
    public void Parse_BadAddress_NamesTheNetwork()
    {
        var error = Assert.Throws<FormatException>(() => NetworkXml.Parse("<network><name>n</name><ip address='300.1.1.1'/></network>"));

        Assert.Equal("network n: <ip address='300.1.1.1'> is not an IP address", error.Message);
    }
}
