using System.Net.Sockets;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Issue 25, fault 5: a collector stopped for a while (an upgrade) announced host-stale for every
/// host three seconds after it came back, and each agent's backoff kept it away for up to a
/// minute. The collector's own absence is not a host's silence: after a restart, and after being
/// frozen with SIGSTOP, only a host that stays silent for its threshold is announced stale. The
/// scale is the default's (stale after three intervals) shrunk tenfold: 1 s intervals, 3 s limit.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CollectorOutageTests : IDisposable
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);
    private readonly SimulatedCluster cluster = new();
    private readonly DatagramInbox syslog;

    public CollectorOutageTests()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(cluster.Folder.File("syslog.sock")));
        syslog = new DatagramInbox(socket);
        cluster.CollectorEnvironment["DAEMONNET_Collector__Alerts__Sinks__log__Type"] = "syslog";
        cluster.CollectorEnvironment["DAEMONNET_Collector__Alerts__Sinks__log__Address"] = $"unix://{cluster.Folder.File("syslog.sock")}";
        cluster.CollectorEnvironment["DAEMONNET_Collector__Alerts__EvaluateEvery"] = "1s";
    }

    public void Dispose()
    {
        cluster.Dispose();
        syslog.Dispose();
    }

    private async Task StartAsync()
    {
        await cluster.StartCollectorAsync("--stale-after", "3s");
        foreach (var number in new[] { 1, 2 })
        {
            cluster.AddHost(number).StartAgent(interval: "1s");
        }
        await WaitForBothHostsAsync("at first");
    }

    private Task WaitForBothHostsAsync(string when) => WaitForReportingAsync($"both hosts reporting {when}", "daemon1", "daemon2");

    /// <summary>Until `hosts` shows each of <paramref name="names"/> reporting (status ok).</summary>
    private Task WaitForReportingAsync(string what, params string[] names) => Eventually.HoldsAsync(() => cluster.Daemonnet("hosts").Output,
        hosts => names.All(name => hosts.Split('\n').Any(l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal))),
        what, TimeSpan.FromSeconds(30));

    private List<string> Alerts(string rule) => [.. syslog.Received.Where(m => m.Contains($" {rule} ", StringComparison.Ordinal))];

    [Fact]
    public async Task CollectorFrozen_ForLongerThanTheStaleLimit_AnnouncesNoHostStale()
    {
        await StartAsync();

        cluster.Collector!.Pause();
        await Task.Delay(Outage);
        cluster.Collector.Resume();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await WaitForBothHostsAsync("after the collector was resumed");

        Assert.Empty(Alerts("host-stale"));
        Assert.Empty(Alerts("host-back"));
    }

    /// <summary>
    /// After an outage longer than the stale limit, daemon1, whose agent waited, comes back
    /// unannounced (neither stale nor back); daemon2, whose agent stopped meanwhile, is announced
    /// stale once, and not before its limit has passed since the restart.
    /// </summary>
    [Fact]
    public async Task CollectorRestarted_AHostThatStaysSilent_IsAnnouncedStaleOnceItsLimitPassedAfterTheRestart()
    {
        await StartAsync();

        cluster.StopCollector();
        cluster.Hosts[1].StopAgent();
        await Task.Delay(Outage);
        await cluster.StartCollectorAsync("--stale-after", "3s");
        var back = DateTimeOffset.UtcNow;
        await Eventually.HoldsAsync(() => Alerts("host-stale"), alerts => alerts.Count > 0, "daemon2 announced stale", TimeSpan.FromSeconds(30));
        var announced = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(3));
        await WaitForReportingAsync("daemon1 reporting after the restart", "daemon1");

        var stale = Alerts("host-stale");
        Assert.True(stale.Count == 1, $"host-stale once, for daemon2: {string.Join('\n', stale)}");
        Assert.Contains("host=\"daemon2\"", stale[0]);
        Assert.Empty(Alerts("host-back"));
        // The collector listens a moment before the test reads that it does; counted from before the
        // restart, daemon2's silence would have been announced at the first evaluation, within a second.
        Assert.True(announced - back >= TimeSpan.FromSeconds(2.5), $"announced {announced - back} after the restart, before daemon2 was silent for 3 s of it");
    }
}
