using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Tests.Sources;

/// <summary>The libvirt source against libvirt's own test driver, through libvirt.so.0.</summary>
public sealed class LibvirtSourceTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static LibvirtSource SourceFor(string uri) => new(Options.Create(new AgentOptions { LibvirtUri = uri }), new GuestAgentDomains());

    [Fact]
    public async Task Collect_TestDriverNode_ReportsDomainsStatesNicsAndNetworks()
    {
        var node = new LibvirtTestNode(folder.File("node.xml"), hostNumber: 1)
            .Domain("web1", "5f0c8a52-1111-4a5e-9c1e-000000000001", running: true,
                ("network", "52:54:00:aa:00:01", "nat-bridge"), ("network", "52:54:00:aa:00:02", "forward-bridge"))
            .Domain("old1", "5f0c8a52-1111-4a5e-9c1e-000000000002", running: false, ("bridge", "52:54:00:aa:00:03", "br0"));
        node.Write();
        var snapshot = new HostSnapshot();

        await SourceFor(node.Uri).CollectAsync(snapshot, CancellationToken.None);

        var domains = snapshot.Domains.ToDictionary(d => d.Name, StringComparer.Ordinal);
        Assert.Equal((DomainState.Running, true), (domains["web1"].State, domains["web1"].Persistent));
        Assert.Equal(DomainState.Shutoff, domains["old1"].State);
        Assert.Equal(["nat-bridge/virbr0", "forward-bridge/br0"], domains["web1"].Nics.Select(n => $"{n.Network}/{n.Bridge}"), StringComparer.Ordinal);
        Assert.Equal((NicKind.Bridge, "br0"), (domains["old1"].Nics[0].Kind, domains["old1"].Nics[0].Bridge));
        var networks = snapshot.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Assert.Equal(("nat", true), (networks["nat-bridge"].ForwardMode, networks["nat-bridge"].Active));
        Assert.Equal("2001:db8:beef:1::1/64", networks["nat-bridge"].Addresses[1].Cidr);
        Assert.Equal(("bridge", "br0"), (networks["forward-bridge"].ForwardMode, networks["forward-bridge"].Bridge));
    }

    [Fact]
    public async Task Collect_DomainWithTitleDescriptionAndDaemonNetMetadata_ReportsItsLabels()
    {
        var node = new LibvirtTestNode(folder.File("node.xml"), hostNumber: 1)
            .Domain("web1", "5f0c8a52-1111-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:aa:00:01", "nat-bridge"))
            .WithLabels("Alice's web server", "The club site,\n  and its\tstaging copy", "alice", "web", "php", "web")
            .Domain("db1", "5f0c8a52-1111-4a5e-9c1e-000000000002", running: true, ("network", "52:54:00:aa:00:02", "nat-bridge"));
        node.Write();
        var snapshot = new HostSnapshot();

        await SourceFor(node.Uri).CollectAsync(snapshot, CancellationToken.None);

        var domains = snapshot.Domains.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var web1 = domains["web1"];
        Assert.Equal(("Alice's web server", "The club site, and its staging copy", "alice"), (web1.Title, web1.Description, web1.Owner));
        Assert.Equal(["web", "php"], web1.Tags);
        Assert.Equal(("", "", "", 0), (domains["db1"].Title, domains["db1"].Description, domains["db1"].Owner, domains["db1"].Tags.Count));
    }

    [Fact]
    public async Task Collect_NodeFileRewritten_SeesTheChangeAtTheNextCollection()
    {
        var node = new LibvirtTestNode(folder.File("node.xml"), hostNumber: 1)
            .Domain("web1", "5f0c8a52-1111-4a5e-9c1e-000000000001", running: true);
        node.Write();
        var source = SourceFor(node.Uri);
        await source.CollectAsync(new HostSnapshot(), CancellationToken.None);

        node.Clear().Domain("db1", "5f0c8a52-1111-4a5e-9c1e-000000000009", running: true).Write();
        var snapshot = new HostSnapshot();
        await source.CollectAsync(snapshot, CancellationToken.None);

        Assert.Equal(["db1"], snapshot.Domains.Select(d => d.Name), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Collect_UnreachableLibvirt_ThrowsASourceErrorNamingTheUri()
    {
        var uri = $"test://{folder.File("missing.xml")}";

        var error = await Assert.ThrowsAsync<SourceException>(() => SourceFor(uri).CollectAsync(new HostSnapshot(), CancellationToken.None));

        Assert.StartsWith($"cannot open libvirt at {uri}:", error.Message);
    }
}
