using DaemonNet.HostAgent.Sources.Leases;

namespace DaemonNet.HostAgent.Tests.Sources;

public class DnsmasqStatusTests
{
    [Fact]
    public void Parse_StatusFile_ReadsIpv4AndIpv6LeasesWithNormalisedMacs()
    {
        var leases = DnsmasqStatus.Parse(Fixture.Read("dnsmasq-virbr0.status"), "virbr0");

        Assert.Equal(3, leases.Count);
        Assert.Equal(("192.168.122.45", "52:54:00:aa:00:01", "web1", "virbr0"), (leases[0].Ip, leases[0].Mac, leases[0].Hostname, leases[0].Bridge));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795833600), leases[0].Expiry.ToDateTimeOffset());
        Assert.Equal(("2001:db8:beef:1::45", "52:54:00:aa:00:01"), (leases[1].Ip, leases[1].Mac));
        Assert.Equal("", leases[2].Hostname);
    }

    [Fact]
    public void Parse_ExpiryZero_IsALeaseThatNeverExpires()
    {
        var lease = Assert.Single(DnsmasqStatus.Parse("""[{"ip-address":"192.168.122.241","mac-address":"52:54:00:aa:00:01","expiry-time":0}]""", "virbr1"));

        Assert.Null(lease.Expiry);
        Assert.Equal("192.168.122.241", lease.Ip);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("[]")]
    public void Parse_EmptyFile_IsNoLeases(string text)
    {
        Assert.Empty(DnsmasqStatus.Parse(text, "virbr0"));
    }

    [Theory]
    [InlineData("[{\"ip-address\":\"10.0.0.1\",\"mac-address\":\"nope\",\"expiry-time\":1}]", "virbr0.status entry 0: \"mac-address\" 'nope' is not a MAC address")]
    [InlineData("[{\"ip-address\":\"10.0.0.1\",\"mac-address\":\"52:54:00:00:00:01\"}]", "virbr0.status entry 0: \"expiry-time\" must be seconds since the epoch")]
    [InlineData("[1]", "virbr0.status entry 0: expected an object, found Number")]
    [InlineData("{\"a\":1}", "virbr0.status: expected a JSON array, found Object")]
    [InlineData("[{", "virbr0.status is not JSON")]
    public void Parse_BadEntry_SaysWhichEntryAndWhy(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => DnsmasqStatus.Parse(json, "virbr0"));

        Assert.StartsWith(expected, error.Message);
    }
}
