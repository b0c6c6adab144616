using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Found by the 30-minute soak (seed 11): while the collector's disk was full, an agent that
/// reconnected sent what it had observed meanwhile onto a stream the collector could not store,
/// and forgot it. When the disk had room again the host looked silent for the whole outage, and a
/// VM whose libvirt failed at that moment vanished from the history. An observation now stays
/// with the agent until the collector acknowledges it. The database lives on a small tmpfs this
/// test mounts and fills (root, as CI runs).
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CollectorDiskFullTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();
    private readonly SmallDisk disk;
    private RunningProgram? collector;

    public CollectorDiskFullTests()
    {
        disk = new SmallDisk(cluster.Folder.Folder("disk"), "4m");
    }

    public void Dispose()
    {
        collector?.Dispose();
        disk.Dispose();
        cluster.Dispose();
    }

    [Fact]
    public async Task DiskFull_LongerThanTheSilenceLimit_TheAgentsObservationsMeanwhileReachTheHistory()
    {
        collector = await cluster.StartCollectorAtAsync(SimulatedCluster.CollectorPort, disk.File("collector.db"), "--stale-after", "3s");
        var host = cluster.AddHost(1);
        host.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:01:00:01", "nat-bridge")).Write();
        host.StartAgent(interval: "1s");
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web1").Output, o => o.Contains("web1 on daemon1", StringComparison.Ordinal), "web1 reported", TimeSpan.FromSeconds(30));

        disk.Fill();
        await host.Agent!.WaitForOutputAsync("disk is full", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(8));
        disk.Drain();
        await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts").Output,
            o => o.Split('\n').Any(l => l.StartsWith("daemon1", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal)), "daemon1 reporting again",
            TimeSpan.FromSeconds(30));

        // What the history said while the agent's journal was on its way is no answer; what it says once it arrived is.
        var history = await Eventually.HoldsAsync(() => cluster.Daemonnet("history", "web1").Output, o => !o.Contains("host silent", StringComparison.Ordinal),
            "a history of web1 without a silence", TimeSpan.FromSeconds(15));
        Assert.Contains("web1 running", history, StringComparison.Ordinal);
    }
}
