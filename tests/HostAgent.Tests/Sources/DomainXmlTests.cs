using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Tests.Sources;

public class DomainXmlTests
{
    [Fact]
    public void Parse_DomainWithThreeInterfaceKinds_ReadsEachNic()
    {
        var domain = DomainXml.Parse(Fixture.Read("libvirt-domain-three-nics.xml"));

        Assert.Equal("web1", domain.Name);
        Assert.Equal("5f0c8a52-1111-4a5e-9c1e-000000000001", domain.Uuid);
        Assert.Collection(domain.Nics,
            nic => Assert.Equal(new Nic { Mac = "52:54:00:aa:00:01", Kind = NicKind.Network, Network = "nat-bridge", TargetDev = "testnet0" }, nic),
            nic => Assert.Equal(new Nic { Mac = "52:54:00:aa:00:02", Kind = NicKind.Bridge, Bridge = "br0", TargetDev = "testnet1" }, nic),
            nic => Assert.Equal(new Nic { Mac = "52:54:00:aa:00:03", Kind = NicKind.Direct, Bridge = "eth0", TargetDev = "testnet2" }, nic));
    }

    [Fact]
    public void Parse_TestDriverDefaultDomain_ReadsItsNetworkNic()
    {
        var domain = DomainXml.Parse(Fixture.Read("libvirt-domain-test-default.xml"));

        Assert.Equal("test", domain.Name);
        var nic = Assert.Single(domain.Nics);
        Assert.Equal(("aa:bb:cc:dd:ee:ff", "default"), (nic.Mac, nic.Network));
    }

    [Fact]
    public void Parse_UpperCaseOrDashedMac_IsNormalisedToLowerCaseColons()
    {
        var domain = DomainXml.Parse("""
            <domain><name>a</name><uuid>5F0C8A52-1111-4A5E-9C1E-000000000001</uuid>
            <devices><interface type='bridge'><mac address='52-54-00-AB-CD-EF'/><source bridge='br0'/></interface></devices></domain>
            """);

        Assert.Equal("52:54:00:ab:cd:ef", domain.Nics[0].Mac);
        Assert.Equal("5f0c8a52-1111-4a5e-9c1e-000000000001", domain.Uuid);
    }

    [Fact]
    public void Parse_LabelsLongerThanTheContractAllows_AreCutRatherThanCostingTheSnapshot()
    {
        var domain = DomainXml.Parse($"""
            <domain><name>a</name><uuid>5f0c8a52-1111-4a5e-9c1e-000000000001</uuid>
            <title>{new string('t', 300)}</title>
            <metadata><vm xmlns='urn:daemonnet:vm:1'><owner>{new string('o', 100)}</owner>{string.Concat(Enumerable.Range(0, 20).Select(i => $"<tag>t{i}</tag>"))}</vm>
            <vm xmlns='urn:other:1'><owner>mallory</owner></vm></metadata></domain>
            """);

        Assert.Equal((256, 64, 16), (domain.Title.Length, domain.Owner.Length, domain.Tags.Count));
        Assert.DoesNotContain("mallory", domain.Owner, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<domain><name>a</name>", "not well-formed domain XML")]
    [InlineData("<network/>", "expected <domain>")]
    [InlineData("<domain><uuid>5f0c8a52-1111-4a5e-9c1e-000000000001</uuid></domain>", "has no <name>")]
    [InlineData("<domain><name>a</name><uuid>5f0c8a52-1111-4a5e-9c1e-000000000001</uuid><devices><interface type='network'><mac address='zz'/></interface></devices></domain>",
        "domain a: interface has no valid <mac address>, found 'zz'")]
    public void Parse_BadXml_SaysWhatIsWrong(string xml, string expected)
    {
        var error = Assert.Throws<FormatException>(() => DomainXml.Parse(xml));

        Assert.Contains(expected, error.Message);
    }
}
