using Dapper;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>Changes on running hosts reaching the collector, each test with a cluster of its own.</summary>
public sealed class ClusterChangeTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    private async Task<SimulatedHost[]> StartAsync(int hostCount, params string[] collectorArguments)
    {
        await cluster.StartCollectorAsync(collectorArguments);
        var hosts = Enumerable.Range(1, hostCount).Select(number => cluster.AddHost(number)).ToArray();
        foreach (var host in hosts)
        {
            host.StartAgent();
        }
        return hosts;
    }

    private Task<(int ExitCode, string Output, string Error)> UntilWhereAsync(string query, string expected) =>
        Eventually.HoldsAsync(() => cluster.Daemonnet("where", query), r => r.ExitCode == 0 && r.Output.Contains(expected),
            $"'daemonnet where {query}' showing '{expected}'");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={cluster.DatabasePath};Mode=ReadOnly;Pooling=False");
        return connection.ExecuteScalar<long>(sql);
    }

    [Fact]
    public async Task VmMigratedToAnotherHost_WhereShowsTheNewHostAndTheOldIntervalIsClosed()
    {
        var (daemon1, daemon2) = await StartAsync(2) switch { var h => (h[0], h[1]) };
        daemon1.Node.Domain("web9", "5f0c8a52-0009-4a5e-9c1e-000000000009", running: true, ("network", "52:54:00:ab:09:01", "nat-bridge")).Write();
        await UntilWhereAsync("web9", "web9 on daemon1");
        var beforeMove = DateTimeOffset.UtcNow;

        daemon2.Node.Domain("web9", "5f0c8a52-0009-4a5e-9c1e-000000000009", running: true, ("network", "52:54:00:ab:09:01", "nat-bridge")).Write();
        daemon1.Node.Clear().Write();
        var (_, output, _) = await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "52:54:00:ab:09:01"),
            r => r.ExitCode == 0 && r.Output.Contains("web9 on daemon2") && !r.Output.Contains("daemon1"), "web9 only on daemon2");

        Assert.DoesNotContain("VMs match", output);
        Assert.Equal(1, Scalar("SELECT count(*) FROM domains d JOIN hosts h ON h.id = d.host_id WHERE h.name = 'daemon1' AND d.name = 'web9' AND d.valid_to IS NOT NULL"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM domains d JOIN hosts h ON h.id = d.host_id WHERE h.name = 'daemon1' AND d.valid_to IS NULL"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM domains d JOIN hosts h ON h.id = d.host_id WHERE h.name = 'daemon2' AND d.name = 'web9' AND d.valid_to IS NULL"));

        var then = cluster.Daemonnet("where", "web9", "--at", beforeMove.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture), "--utc");
        Assert.True(then.ExitCode == 0, then.Error);
        Assert.Contains("web9 on daemon1: running", then.Output);

        var history = cluster.Daemonnet("history", "web9", "--utc");
        Assert.True(history.ExitCode == 0, history.Error);
        Assert.Matches(@"Z\s+\d{4}-\d{2}-\d{2} [\d:]+Z\s+daemon1\s+web9 running", history.Output);
        Assert.Matches(@"Z\s+now\s+daemon2\s+web9 running", history.Output);
        Assert.Matches(@"now\s+daemon2\s+web9 NIC 52:54:00:ab:09:01 on nat-bridge \(virbr0\)", history.Output);

        var longAgo = cluster.Daemonnet("where", "web9", "--at", "1h ago");
        Assert.Equal(1, longAgo.ExitCode);
        Assert.Contains("nearest after: web9 running (uuid 5f0c8a52-0009-4a5e-9c1e-000000000009) on daemon1, from", longAgo.Error);
    }

    [Fact]
    public async Task NeighbourEntryAddedOnAHost_AppearsInWhereAndGoesWhenItFails()
    {
        var daemon1 = (await StartAsync(1))[0];
        daemon1.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        await UntilWhereAsync("web1", "no address seen");

        daemon1.Namespace.SetNeighbour("2001:db8:beef:1::99", "52:54:00:ab:01:01", "virbr0", "reachable");
        await UntilWhereAsync("2001:db8:beef:1::99", "web1 on daemon1");

        daemon1.Namespace.SetNeighbour("2001:db8:beef:1::99", null, "virbr0", "failed");
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "2001:db8:beef:1::99"), r => r.ExitCode == 1, "the failed entry no longer counting");
        Assert.Equal(1, Scalar("SELECT count(*) FROM bindings WHERE ip = '2001:db8:beef:1::99' AND valid_to IS NOT NULL"));

        var history = cluster.Daemonnet("history", "2001:db8:beef:1::99");
        Assert.True(history.ExitCode == 0, history.Error);
        Assert.Matches(@"daemon1\s+2001:db8:beef:1::99 held by 52:54:00:ab:01:01 \(neighbour reachable\)", history.Output);
        Assert.Matches(@"now\s+daemon1\s+web1 running", history.Output);
    }

    [Fact]
    public async Task ChangesOnAHostWithALongInterval_ReachTheCollectorWithoutWaitingForThePoll()
    {
        await cluster.StartCollectorAsync();
        var daemon1 = cluster.AddHost(1);
        daemon1.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        daemon1.StartAgent(interval: "5m");
        await UntilWhereAsync("web1", "no address seen");

        daemon1.Namespace.SetNeighbour("2001:db8:beef:1::77", "52:54:00:ab:01:01", "virbr0", "reachable");
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "2001:db8:beef:1::77"), r => r.ExitCode == 0,
            "a kernel neighbour event reaching the collector", TimeSpan.FromSeconds(15));

        DnsmasqStatusFile.Write(daemon1.LeasesDir, "virbr0", ("192.168.122.77", "52:54:00:ab:01:01", "web1", DateTimeOffset.UtcNow.AddHours(1)));
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "192.168.122.77"), r => r.ExitCode == 0,
            "a lease file write reaching the collector", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task CollectorRestarted_AgentsReconnectAndTheStoreKeepsItsHistory()
    {
        var daemon1 = (await StartAsync(1))[0];
        daemon1.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true).Write();
        await UntilWhereAsync("web1", "web1 on daemon1");
        await daemon1.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(10));

        cluster.StopCollector();
        await daemon1.Agent.WaitForOutputAsync("unreachable", TimeSpan.FromSeconds(30));
        daemon1.Node.Clear().Domain("web2", "5f0c8a52-0001-4a5e-9c1e-000000000002", running: true).Write();
        await cluster.StartCollectorAsync();

        await UntilWhereAsync("web2", "web2 on daemon1");
        Assert.Equal(1, Scalar("SELECT count(*) FROM domains WHERE name = 'web1' AND valid_to IS NOT NULL"));
        Assert.Contains("retrying in", daemon1.Agent.Output);
    }

    [Fact]
    public async Task CollectorDownWhileAVmStops_HistoryHasTheStopAtItsTimeAndNoHole()
    {
        const string uuid = "5f0c8a52-0001-4a5e-9c1e-000000000001";
        var daemon1 = (await StartAsync(1, "--stale-after", "3s"))[0];
        daemon1.Node.Domain("web1", uuid, running: true).Write();
        await UntilWhereAsync("web1", "web1 on daemon1: running");

        cluster.StopCollector();
        await daemon1.Agent!.WaitForOutputAsync("unreachable", TimeSpan.FromSeconds(30));
        var beforeStop = DateTimeOffset.UtcNow;
        daemon1.Node.Clear().Domain("web1", uuid, running: false).Write();
        // An outage longer than --stale-after: without the agent's replay the collector would record a silence.
        var lastReport = DateTimeOffset.FromUnixTimeMilliseconds(Scalar("SELECT last_report FROM hosts WHERE name = 'daemon1'"));
        await Eventually.HoldsAsync(() => DateTimeOffset.UtcNow, now => now > lastReport + TimeSpan.FromSeconds(4), "an outage longer than --stale-after");
        var restarted = DateTimeOffset.UtcNow;
        await cluster.StartCollectorAsync("--stale-after", "3s");

        await UntilWhereAsync("web1", "web1 on daemon1: shut off");
        Assert.Equal(0, Scalar("SELECT count(*) FROM host_silences"));
        Assert.InRange(Scalar("SELECT valid_from FROM domains WHERE state = 5"), beforeStop.ToUnixTimeMilliseconds(), restarted.ToUnixTimeMilliseconds());
        Assert.Equal(Scalar("SELECT valid_from FROM domains WHERE state = 5"), Scalar("SELECT valid_to FROM domains WHERE state = 1"));
        await daemon1.Agent.WaitForOutputAsync("observations made while the collector was unreachable", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AgentStoppedThenBack_HostIsStaleMeanwhileAndHistoryShowsTheGap()
    {
        var daemon1 = (await StartAsync(1, "--stale-after", "2s"))[0];
        daemon1.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true).Write();
        await UntilWhereAsync("web1", "web1 on daemon1");

        daemon1.StopAgent();

        var (_, output, _) = await UntilWhereAsync("web1", "! daemon1 has not reported for");
        Assert.Contains("this is what it said then, not what holds now", output);
        HostsTable.AssertRow(cluster.Daemonnet("hosts").Output, "daemon1", 1, "stale");

        daemon1.StartAgent();

        // The STATUS column, the last: the CLOCK column before it says "ok" while the host is still stale.
        await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts"),
            r => r.Output.Split('\n').Any(l => l.StartsWith("daemon1 ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" ok", StringComparison.Ordinal)),
            "daemon1 fresh again");
        var history = cluster.Daemonnet("history", "web1", "--utc");
        Assert.Matches(@"Z\s+\d{4}-\d{2}-\d{2} [\d:]+Z\s+daemon1\s+host silent: nothing is known of it", history.Output);
        Assert.Matches(@"Z\s+now\s+daemon1\s+web1 running", history.Output);
        Assert.True(Scalar("SELECT count(*) FROM domains WHERE name = 'web1'") >= 2, "the return opens a new interval");
    }

    [Fact]
    public async Task AgentStartedBeforeTheCollector_LogsRetriesThenConnects()
    {
        var daemon1 = cluster.AddHost(1);
        daemon1.StartAgent();
        await daemon1.Agent!.WaitForOutputAsync($"collector {cluster.CollectorUrl} unreachable", TimeSpan.FromSeconds(30));

        await cluster.StartCollectorAsync();

        await daemon1.Agent.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts"), r => r.ExitCode == 0 && r.Output.Contains("daemon1"), "daemon1 listed");
    }
}
