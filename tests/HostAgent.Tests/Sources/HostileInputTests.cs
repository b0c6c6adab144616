using CsCheck;
using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.HostAgent.Sources.Leases;
using DaemonNet.HostAgent.Sources.Libvirt;

namespace DaemonNet.HostAgent.Tests.Sources;

/// <summary>
/// Hostile input never crashes a parser: random text and mutations of real fixtures either parse
/// or give a <see cref="FormatException"/>, which the source reports as its error.
/// </summary>
public class HostileInputTests
{
    public static TheoryData<string, string> Parsers() => new()
    {
        { "domain", "libvirt-domain-three-nics.xml" },
        { "network", "libvirt-network-nat-dual-stack.xml" },
        { "links", "ip-addr.json" },
        { "neighbours", "ip-neigh.json" },
        { "leases", "dnsmasq-virbr0.status" },
    };

    private static void Parse(string parser, string text)
    {
        switch (parser)
        {
            case "domain": DomainXml.Parse(text); break;
            case "network": NetworkXml.Parse(text); break;
            case "links": IpJson.ParseLinks(text); break;
            case "neighbours": IpJson.ParseNeighbours(text); break;
            default: DnsmasqStatus.Parse(text, "virbr0"); break;
        }
    }

    private static void ParsesOrSaysWhy(string parser, string text)
    {
        try
        {
            Parse(parser, text);
        }
        catch (FormatException)
        {
        }
    }

    /// <summary>Splices random text into the real fixture: deletes a stretch and inserts another.</summary>
    private static Gen<string> Mutations(string fixture) =>
        Gen.Select(Gen.Int[0, fixture.Length], Gen.Int[0, 40], Gen.String[Gen.Char["{}[]\":,<>/='0123456789abcdefx .-"], 0, 12])
            .Select((at, deleted, inserted) => fixture[..at] + inserted + fixture[Math.Min(fixture.Length, at + deleted)..]);

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Parse_MutatedRealInput_ParsesOrThrowsFormatException(string parser, string fixture)
    {
        Mutations(Fixture.Read(fixture)).Sample(text => ParsesOrSaysWhy(parser, text), iter: 2_000);
    }

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Parse_RandomText_ParsesOrThrowsFormatException(string parser, string fixture)
    {
        _ = fixture;
        Gen.String.Sample(text => ParsesOrSaysWhy(parser, text), iter: 2_000);
    }

    [Theory]
    [InlineData("links", "[{\"ifname\":\"x\",\"addr_info\":[{\"local\":\"10.0.0.1\",\"prefixlen\":\"24\"}]}]")]
    [InlineData("links", "[{\"ifname\":\"x\",\"mtu\":-1}]")]
    [InlineData("neighbours", "[{\"dst\":\"10.0.0.1\",\"state\":[1,2]}]")]
    [InlineData("leases", "[{\"ip-address\":\"10.0.0.1\",\"mac-address\":\"52:54:00:00:00:01\",\"expiry-time\":1e300}]")]
    public void Parse_WrongJsonTypes_ParsesOrThrowsFormatException(string parser, string text)
    {
        ParsesOrSaysWhy(parser, text);
    }
}
