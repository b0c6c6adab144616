using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Tests.Sources;

/// <summary>
/// Guest-agent addresses against libvirt's test driver, which answers the agent source on a
/// read-write connection with an address of its own making for each NIC (192.168.122.x on the
/// NIC's network, interface testnet0). Only NICs on networks with an address are used: the test
/// driver crashes on the others (PITFALLS).
/// </summary>
public sealed class GuestAgentSourceTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>The guest-agent source after the libvirt source has read the node, as in every round of the agent.</summary>
    private static async Task<GuestAgentSource> SourceForAsync(string uri, bool enabled = true)
    {
        var options = Options.Create(new AgentOptions { LibvirtUri = uri, GuestAgent = enabled });
        var candidates = new GuestAgentDomains();
        await new LibvirtSource(options, candidates).CollectAsync(new HostSnapshot(), CancellationToken.None);
        return new GuestAgentSource(options, candidates);
    }

    private LibvirtTestNode Node()
    {
        var node = new LibvirtTestNode(folder.File("node.xml"), hostNumber: 1)
            .Domain("web1", "5f0c8a52-1111-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:aa:00:01", "nat-bridge")).WithGuestAgent()
            .Domain("web2", "5f0c8a52-1111-4a5e-9c1e-000000000002", running: true, ("network", "52:54:00:aa:00:02", "nat-bridge"))
            .Domain("old1", "5f0c8a52-1111-4a5e-9c1e-000000000003", running: false, ("network", "52:54:00:aa:00:03", "nat-bridge")).WithGuestAgent();
        node.Write();
        return node;
    }

    [Fact]
    public async Task Collect_RunningGuestWithAnAgent_ReportsItsAddressesOnTheNicsBridge()
    {
        var snapshot = new HostSnapshot();

        await (await SourceForAsync(Node().Uri)).CollectAsync(snapshot, CancellationToken.None);

        var address = Assert.Single(snapshot.GuestAddresses);
        Assert.Equal(("52:54:00:aa:00:01", "virbr0", "testnet0"), (address.Mac, address.Device, address.Interface));
        Assert.StartsWith("192.168.122.", address.Ip);
    }

    [Fact]
    public async Task Collect_TurnedOff_AsksNoGuest()
    {
        var snapshot = new HostSnapshot();

        await (await SourceForAsync(Node().Uri, enabled: false)).CollectAsync(snapshot, CancellationToken.None);

        Assert.Empty(snapshot.GuestAddresses);
    }

    [Fact]
    public async Task Collect_NoRunningGuestHasAnAgentChannel_OpensNoReadWriteConnection()
    {
        var node = new LibvirtTestNode(folder.File("plain.xml"), hostNumber: 1)
            .Domain("web2", "5f0c8a52-1111-4a5e-9c1e-000000000002", running: true, ("network", "52:54:00:aa:00:02", "nat-bridge"))
            .Domain("old1", "5f0c8a52-1111-4a5e-9c1e-000000000003", running: false, ("network", "52:54:00:aa:00:03", "nat-bridge")).WithGuestAgent();
        node.Write();
        var source = await SourceForAsync(node.Uri);
        File.Delete(folder.File("plain.xml"));
        var snapshot = new HostSnapshot();

        // Were a connection opened, the missing node file would fail it.
        await source.CollectAsync(snapshot, CancellationToken.None);

        Assert.Empty(snapshot.GuestAddresses);
        await Assert.ThrowsAsync<SourceException>(() => new LibvirtSource(Options.Create(new AgentOptions { LibvirtUri = node.Uri }), new GuestAgentDomains())
            .CollectAsync(new HostSnapshot(), CancellationToken.None));
    }

    [Theory]
    [InlineData("192.168.122.45", true)]
    [InlineData("2001:db8:beef:1::45", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::5054:ff:feaa:1", false)]
    [InlineData("169.254.10.1", false)]
    [InlineData("not an address", false)]
    public void IsWorthShowing_LeavesOutLoopbackAndLinkLocal(string ip, bool shown)
    {
        Assert.Equal(shown, GuestAgentSource.IsWorthShowing(ip));
    }
}
