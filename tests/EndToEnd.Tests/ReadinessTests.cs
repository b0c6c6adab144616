using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// systemd's Type=notify without systemd: each program runs with NOTIFY_SOCKET pointing at a
/// datagram socket this test owns, and READY=1 must mean ready. The collector answers the moment
/// it says so; the native agent says so only with its first snapshot built (its status line counts
/// what the snapshot holds), even while the collector cannot be reached.
/// </summary>
public sealed class ReadinessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Collector_SaysReady_OnlyOnceItAnswers()
    {
        using var notify = new NotifySocket(folder.File("notify.sock"));
        var port = LoopbackPort.Free();
        using var collector = RunningProgram.Start(Programs.Collector,
            ["--insecure", "--listen", $"127.0.0.1:{port}", "--db", folder.File("collector.db")], environment: notify.Environment);

        var ready = notify.Next(Patience);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var hosts = await new Inventory.InventoryClient(channel).ListHostsAsync(new ListHostsRequest());

        Assert.True(ready is not null && ready.Split('\n').Contains("READY=1"), $"no READY=1 within {Patience}; got '{ready}'; output:\n{collector.Output}");
        Assert.Empty(hosts.Hosts);
    }

    [Fact]
    public void NativeAgent_SaysReady_WithItsFirstSnapshot_EvenWithTheCollectorUnreachable()
    {
        using var notify = new NotifySocket(folder.File("notify.sock"));
        var node = new LibvirtTestNode(folder.File("node.xml"), 1)
            .Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge"))
            .Domain("db1", "5f0c8a52-0001-4a5e-9c1e-000000000002", running: false, ("network", "52:54:00:ab:01:03", "nat-bridge"));
        node.Write();
        Directory.CreateDirectory(folder.File("leases"));
        using var agent = RunningProgram.Start(Programs.Published("agent/daemonnet-agent"),
        [
            "--insecure", "--collector", $"http://127.0.0.1:{LoopbackPort.Free()}", "--host-name", "daemon1", "--libvirt-uri", node.Uri,
            "--leases-dir", folder.File("leases"), "--interfaces-file", "none", "--guest-agent", "false",
        ], environment: notify.Environment);

        var ready = notify.Next(Patience);

        Assert.True(ready is not null, $"no message within {Patience}; output:\n{agent.Output}");
        var lines = ready.Split('\n');
        Assert.Contains("READY=1", lines, StringComparer.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("STATUS=2 VMs, ", StringComparison.Ordinal));
    }
}
