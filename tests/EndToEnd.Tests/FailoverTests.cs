using System.Collections.Concurrent;
using System.Diagnostics;
using DaemonNet.Tests.Support;
using Xunit.Abstractions;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Two collectors on one PostgreSQL database, agents in namespaces that know both: one collector
/// is killed (SIGKILL) during ingest, and the cluster carries on through the other.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class FailoverTests(ITestOutputHelper output) : IDisposable
{
    private const int SecondPort = SimulatedCluster.CollectorPort + 1;
    private readonly SimulatedCluster cluster = new();
    private readonly string database = PostgresServer.Shared.CreateDatabase();

    public void Dispose()
    {
        cluster.Dispose();
        PostgresServer.Shared.DropDatabase(database);
    }

    private string DatabaseName => database[(database.LastIndexOf('/') + 1)..];

    private long Scalar(string sql) => long.Parse(PostgresServer.Shared.Psql(sql, DatabaseName), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task FirstCollectorKilledDuringIngest_AgentsMoveToTheSecond_NothingIsLostAndQueriesKeepAnswering()
    {
        var shared = PostgresServer.Shared.SocketUri(database);
        var first = (await cluster.StartCollectorAtAsync(SimulatedCluster.CollectorPort, shared))!;
        using var second = await cluster.StartCollectorAtAsync(SecondPort, shared);
        var secondUrl = SimulatedCluster.CollectorUrlAt(SecondPort);
        var hosts = Enumerable.Range(1, 3).Select(number => cluster.AddHost(number)).ToArray();
        foreach (var host in hosts)
        {
            host.Node.Domain($"vm{host.Number}", $"5f0c8a52-00{host.Number:D2}-4a5e-9c1e-0000000000{host.Number:D2}", running: true,
                ("network", $"52:54:00:ab:{host.Number:x2}:01", "nat-bridge")).Write();
            host.StartAgent(extraArguments: ["--collector", secondUrl]);
        }
        foreach (var host in hosts)
        {
            await host.Agent!.WaitForOutputAsync($"Connected to collector {cluster.CollectorUrl}", TimeSpan.FromSeconds(30));
        }
        // The second collector answers for hosts that stream through the first, and its watchers hear their changes.
        using var watch = RunningProgram.Start(Programs.Cli, ["--collector", secondUrl, .. cluster.TlsArguments("admin"), "watch", "late1", "--json"], cluster.Central);
        await watch.WaitForOutputAsync("WATCH_EVENT_KIND_CURRENT", TimeSpan.FromSeconds(30));
        hosts[0].Node.Domain("late1", "5f0c8a52-0101-4a5e-9c1e-000000000101", running: true, ("network", "52:54:00:ab:01:11", "nat-bridge")).Write();
        await watch.WaitForOutputAsync("WATCH_EVENT_KIND_VM_DEFINED", TimeSpan.FromSeconds(30));
        Assert.Equal(cluster.Daemonnet("where", "vm2").Output, cluster.DaemonnetAt(secondUrl, "admin", "where", "vm2").Output);

        var killedAt = Stopwatch.StartNew();
        first.Kill();
        var answered = 0;
        var failed = new List<string>();
        foreach (var host in hosts)
        {
            while (!host.Agent!.Output.Contains($"Connected to collector {secondUrl}", StringComparison.Ordinal))
            {
                var (exitCode, _, error) = cluster.DaemonnetAt(secondUrl, "admin", "where", "vm1");
                if (exitCode == 0)
                {
                    answered++;
                }
                else
                {
                    failed.Add(error);
                }
                Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(60), $"{host.Name} did not move to the second collector: {host.Agent.Output}");
            }
        }
        var failover = killedAt.Elapsed;
        output.WriteLine($"every agent streamed through the second collector {failover.TotalSeconds:0.0} s after the kill; {answered} queries answered meanwhile");
        hosts[1].Node.Domain("late2", "5f0c8a52-0202-4a5e-9c1e-000000000202", running: true, ("network", "52:54:00:ab:02:12", "nat-bridge")).Write();

        await Eventually.HoldsAsync(() => cluster.DaemonnetAt(secondUrl, "admin", "where", "late2"), r => r.ExitCode == 0 && r.Output.Contains("late2 on daemon2"),
            "a change after the failover, through the second collector");
        Assert.True(failed.Count == 0, $"queries to the second collector failed during the failover: {string.Join("; ", failed)}");
        Assert.True(answered > 0, "no query ran during the failover");
        // What the first collector acknowledged is all there: every VM, each in one unbroken interval.
        foreach (var vm in new[] { "vm1", "vm2", "vm3", "late1" })
        {
            Assert.Equal(1, Scalar($"SELECT count(*) FROM domains WHERE name = '{vm}'"));
            Assert.Equal(1, Scalar($"SELECT count(*) FROM domains WHERE name = '{vm}' AND valid_to IS NULL"));
        }
        Assert.Equal(0, Scalar("SELECT count(*) FROM host_silences"));
        var history = cluster.DaemonnetAt(secondUrl, "admin", "history", "vm1", "--utc");
        Assert.True(history.ExitCode == 0, history.Error);
        Assert.DoesNotContain("host silent", history.Output);
        Assert.True(failover < TimeSpan.FromSeconds(30), $"the agents took {failover.TotalSeconds:0.0} s to move");
        Assert.DoesNotContain("streams through another collector", second.Output);
    }

    [Fact]
    public async Task CollectorKilledDuringHeavyIngest_EveryAcknowledgedSnapshotIsInTheSharedDatabase_AndTheOtherTakesItsHosts()
    {
        var (firstPort, secondPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        using var first = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{firstPort}", "--db", database, "--insecure"]);
        using var second = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{secondPort}", "--db", database, "--insecure"]);
        await first.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        await second.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        var acknowledged = new ConcurrentBag<string>();

        using (var stop = new CancellationTokenSource())
        {
            var agents = Enumerable.Range(1, 4).Select(a => CrashSafetyTests.SendUntilCutOffAsync($"http://127.0.0.1:{firstPort}", $"daemon{a}", 0, acknowledged, stop.Token)).ToList();
            await Eventually.HoldsAsync(() => acknowledged.Count, count => count >= 20, $"the load under way (collector said: {first.Output})");
            first.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(agents);
        }
        var beforeMove = acknowledged.Count;
        using (var stop = new CancellationTokenSource())
        {
            var agents = Enumerable.Range(1, 4).Select(a => CrashSafetyTests.SendUntilCutOffAsync($"http://127.0.0.1:{secondPort}", $"daemon{a}", 1, acknowledged, stop.Token)).ToList();
            await Eventually.HoldsAsync(() => acknowledged.Count, count => count >= beforeMove + 20, $"the hosts streaming through the second collector (it said: {second.Output})");
            await stop.CancelAsync();
            await Task.WhenAll(agents);
        }

        var stored = PostgresServer.Shared.Psql("SELECT name FROM domains", DatabaseName).Split('\n').ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Where(marker => !stored.Contains(marker)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged snapshots are missing, e.g. {lost.FirstOrDefault()}");
        Assert.Equal(4, Scalar("SELECT count(*) FROM hosts"));
    }
}
