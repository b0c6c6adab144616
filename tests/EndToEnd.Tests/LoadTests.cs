using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// One collector process under a hundred concurrent agent streams over loopback, with queries
/// running throughout. The thousand-stream version is a benchmark (docs/BENCHMARKS.md).
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class LoadTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    [Fact]
    public async Task Collector_HundredAgentsComingBackAtOnce_AcknowledgesEveryFirstSnapshot()
    {
        const int agents = 100;
        var port = LoopbackPort.Free();
        using var collector = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", folder.File("burst.db"), "--insecure"]);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        var load = new AgentLoad($"http://127.0.0.1:{port}", agents, vmsPerAgent: 50, interval: TimeSpan.FromSeconds(1), changeProbability: 0, burst: true);

        await load.RunAsync(TimeSpan.FromSeconds(6));

        Assert.True(load.Failures == 0, $"{load.Failures} failures, first: {load.FirstFailure}\ncollector said:\n{collector.Output}");
        Assert.Equal(agents, load.FirstAcknowledgements.Count);
        Assert.False(collector.HasExited, collector.Output);
    }

    [Fact]
    public async Task Collector_HundredConcurrentAgents_AcknowledgesEveryMessageAndKeepsAnswering()
    {
        const int agents = 100;
        var port = LoopbackPort.Free();
        using var collector = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", folder.File("collector.db"), "--insecure"]);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        var url = $"http://127.0.0.1:{port}";
        var load = new AgentLoad(url, agents, vmsPerAgent: 50, interval: TimeSpan.FromMilliseconds(250), changeProbability: 0.1);

        var running = load.RunAsync(TimeSpan.FromSeconds(10));
        using var channel = GrpcChannel.ForAddress(url);
        var inventory = new Inventory.InventoryClient(channel);
        var (answered, found) = (0, 0);
        while (!running.IsCompleted)
        {
            var reply = await inventory.WhereAsync(new WhereRequest { Query = $"load{answered % agents:D4}-vm7" });
            answered++;
            found += reply.Vms.Count;
            await Task.Delay(50);
        }
        await running;

        Assert.True(load.Failures == 0, $"{load.Failures} failures, first: {load.FirstFailure}\ncollector said:\n{collector.Output}");
        Assert.True(load.Snapshots >= agents && load.Heartbeats > 10 * agents, $"the load was light: {load.Snapshots} snapshots, {load.Heartbeats} heartbeats");
        Assert.InRange(load.Acknowledged + load.SnapshotRequests, load.Snapshots + load.Heartbeats - agents, load.Snapshots + load.Heartbeats);
        Assert.True(answered > 20 && found > answered / 2, $"during the load {answered} queries were answered and found {found} VMs");
        var hosts = await inventory.ListHostsAsync(new ListHostsRequest());
        Assert.Equal(agents, hosts.Hosts.Count);
        Assert.All(hosts.Hosts, h => Assert.Equal(50u, h.VmCount));
        var memory = AgentLoad.ResidentMiB(collector.ProcessId);
        Assert.True(memory < 1024, $"the collector holds {memory:0} MiB after the load");
    }
}
