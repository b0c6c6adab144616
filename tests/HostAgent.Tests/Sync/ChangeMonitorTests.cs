using DaemonNet.HostAgent.Sync;
using DaemonNet.Tests.Support;

namespace DaemonNet.HostAgent.Tests.Sync;

/// <summary>
/// The lease folder half of <see cref="ChangeMonitor"/> on a real folder. Its kernel half follows
/// rtnetlink announcements in the agent's own network namespace (RtnetlinkSocketTests hears one); EndToEnd's ClusterChangeTests checks it
/// with an agent whose interval is five minutes.
/// </summary>
public sealed class ChangeMonitorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempDirectory folder = new();
    private readonly ChangeSignal signal = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task WatchLeases_AStatusFileWrittenRenamedIntoPlaceAndDeleted_RaisesTheSignalEachTime()
    {
        using var watcher = ChangeMonitor.WatchLeases(folder.Path, signal);
        Assert.NotNull(watcher);
        await File.WriteAllTextAsync(folder.File("virbr0.status"), "[]");
        await signal.WaitAsync(new CancellationTokenSource(Patience).Token);
        signal.Settle();

        // dnsmasq's helper writes a new file and renames it over the old one.
        await File.WriteAllTextAsync(folder.File("virbr0.status.new"), "[]");
        File.Move(folder.File("virbr0.status.new"), folder.File("virbr0.status"), overwrite: true);
        await signal.WaitAsync(new CancellationTokenSource(Patience).Token);
        signal.Settle();

        File.Delete(folder.File("virbr0.status"));
        await signal.WaitAsync(new CancellationTokenSource(Patience).Token);
    }

    [Fact]
    public void WatchLeases_NoSuchFolder_WatchesNothing()
    {
        Assert.Null(ChangeMonitor.WatchLeases(folder.File("missing"), signal));
    }
}
