using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Interfaces;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.HostAgent.Tests.Sources;

public class InterfacesFileTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "interfaces", "interfaces");

    private static Dictionary<string, ConfiguredInterface> ReadFixture() =>
        InterfacesFile.Read(FixturePath).Where(c => c.Family == "inet6" || c.Name.StartsWith("br", StringComparison.Ordinal))
            .GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    [Fact]
    public void Read_HurricaneElectricStanza_KeepsEveryTunnelField()
    {
        var he = ReadFixture()["he-ipv6"];

        Assert.Equal(("inet6", "v4tunnel", true), (he.Family, he.Method, he.Auto));
        Assert.Equal(("2001:470:1f0a:a6f::2", "64", "216.66.80.26", "10.20.30.11", 255u, "2001:470:1f0a:a6f::1"),
            (he.Address, he.Netmask, he.Endpoint, he.Local, he.Ttl, he.Gateway));
        Assert.Equal((FixturePath, 23u), (he.File, he.Line));
    }

    [Fact]
    public void Read_SourcedFiles_AreReadRelativeToTheirFileWithContinuationLines()
    {
        var stanzas = ReadFixture();

        var backup = stanzas["he-backup"];
        Assert.Equal(("184.105.253.14", "2001:470:1f12:b2c::1", false), (backup.Endpoint, backup.Gateway, backup.Auto));
        Assert.EndsWith("tunnels.d/backup.conf", backup.File);
        var ip6tnl = stanzas["ip6tnl1"];
        Assert.Equal(("tunnel", "ip6ip6", "2001:db8:ffff::2", "2001:db8:ffff::1", 64u), (ip6tnl.Method, ip6tnl.Mode, ip6tnl.Endpoint, ip6tnl.Local, ip6tnl.Ttl));
        Assert.True(ip6tnl.Auto);
    }

    [Fact]
    public void Read_Bridges_KeepTheirPortsInEitherSpelling()
    {
        var stanzas = ReadFixture();

        Assert.Equal(["eno1"], stanzas["br0"].BridgePorts);
        Assert.Equal(["eno2", "eno3"], stanzas["br1"].BridgePorts);
    }

    [Fact]
    public void Read_SourceDirectory_SkipsNamesRunPartsWouldSkip()
    {
        Assert.DoesNotContain(InterfacesFile.Read(FixturePath), c => c.Name == "stale");
    }

    [Fact]
    public void Read_SourceLoop_SaysWhichFile()
    {
        using var folder = new TempDirectory();
        var path = folder.File("interfaces");
        File.WriteAllText(path, "source interfaces\n");

        var error = Assert.Throws<FormatException>(() => InterfacesFile.Read(path));

        Assert.Contains("sourced again from within itself", error.Message);
    }

    [Theory]
    [InlineData("iface he-ipv6 inet6 v4tunnel\n  ttl 300\n", ":2: ttl '300' is not a number from 0 to 255")]
    [InlineData("iface he-ipv6 inet6\n", ":1: \"iface\" needs a name, a family and a method")]
    public void Read_BadStanza_SaysWhereAndWhat(string text, string expected)
    {
        using var folder = new TempDirectory();
        var path = folder.File("interfaces");
        File.WriteAllText(path, text);

        var error = Assert.Throws<FormatException>(() => InterfacesFile.Read(path));

        Assert.Equal(path + expected, error.Message[..(path.Length + expected.Length)]);
    }

    [Fact]
    public void Read_MissingSourcedFile_IsASourceError()
    {
        using var folder = new TempDirectory();
        var path = folder.File("interfaces");
        File.WriteAllText(path, "source tunnels.conf\n");

        var error = Assert.Throws<SourceException>(() => InterfacesFile.Read(path));

        Assert.Contains("tunnels.conf is sourced but does not exist", error.Message);
    }

    [Fact]
    public void Read_CommentThatLooksLikeAStanza_IsIgnored()
    {
        using var folder = new TempDirectory();
        var path = folder.File("interfaces");
        File.WriteAllText(path, "  # iface old inet6 v4tunnel\nauto lo\niface lo inet loopback\n");

        Assert.Equal(["lo"], InterfacesFile.Read(path).Select(c => c.Name), StringComparer.Ordinal);
    }
}
