using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Tests.Sources.Kernel;

public class KernelSourceTests
{
    [Fact]
    public async Task CollectAsync_ReadsOverRtnetlink_WithoutAnError()
    {
        var snapshot = new HostSnapshot();

        await new KernelSource().CollectAsync(snapshot, CancellationToken.None);

        Assert.Contains(snapshot.Links, l => l.Name == "lo" && l.Addresses.Contains("127.0.0.1/8"));
        Assert.Empty(snapshot.Errors);
    }

    [Fact]
    public async Task CollectAsync_RtnetlinkCannotBeRead_ReadsThroughIpAndSaysSoUnderItsOwnName()
    {
        var source = new KernelSource { ReadInProcess = () => throw new FormatException("RTM_NEWLINK: link 9 has no IFLA_IFNAME") };
        var snapshot = new HostSnapshot();

        await source.CollectAsync(snapshot, CancellationToken.None);

        Assert.Contains(snapshot.Links, l => l.Name == "lo" && l.Addresses.Contains("127.0.0.1/8"));
        var error = Assert.Single(snapshot.Errors);
        Assert.Equal(SourceNames.Rtnetlink, error.Source);
        Assert.Equal("RTM_NEWLINK: link 9 has no IFLA_IFNAME; read through ip instead", error.Message);
    }
}
