using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Issue 25, fault 1: on a host without libvirt0 the event monitor's DllNotFoundException reached
/// the host and stopped the whole agent. Here the native agent runs in a mount namespace of its own
/// in which libvirt's library is hidden (/dev/null bound over it), which is what a host without
/// the package looks like to the loader: the agent must keep streaming its other sources, report
/// both libvirt failures as source errors, and keep retrying.
/// </summary>
public sealed class AgentWithoutLibvirtTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task NativeAgent_LibvirtLibraryMissing_KeepsRunningAndReportsSourceErrors()
    {
        var port = LoopbackPort.Free();
        using var collector = RunningProgram.Start(Programs.Collector, ["--insecure", "--listen", $"127.0.0.1:{port}", "--db", folder.File("collector.db")]);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        var library = Shell.Run("readlink", "-f", "/lib/x86_64-linux-gnu/libvirt.so.0").Trim();
        Directory.CreateDirectory(folder.File("leases"));
        using var agent = RunningProgram.Start("unshare",
        [
            "--mount", "--propagation", "private", "sh", "-c", "mount --bind /dev/null \"$0\" && exec \"$@\"", library,
            Programs.Published("agent/daemonnet-agent"), "--insecure", "--collector", $"http://127.0.0.1:{port}", "--host-name", "daemon1",
            "--libvirt-uri", "test:///default", "--interval", "300ms", "--leases-dir", folder.File("leases"), "--interfaces-file", "none",
            "--capture", "none",
        ]);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var inventory = new Inventory.InventoryClient(channel);

        var host = await Eventually.ValueAsync(async () => (await inventory.ListHostsAsync(new ListHostsRequest())).Hosts.FirstOrDefault(),
            h => h is not null && h.Errors.Any(e => e.Source == SourceNames.LibvirtEvents),
            $"daemon1 reporting the event monitor's failure (agent said: {agent.Output})", TimeSpan.FromSeconds(60));
        // Past the monitor's retry: it fails again, and the agent must still be there.
        await Task.Delay(TimeSpan.FromSeconds(7));
        var later = (await inventory.ListHostsAsync(new ListHostsRequest())).Hosts.Single();

        Assert.False(agent.HasExited, $"the agent stopped; it said:\n{agent.Output}");
        Assert.Contains(host!.Errors, e => e.Source == SourceNames.Libvirt);
        Assert.Contains("cannot be loaded", host.Errors.Single(e => e.Source == SourceNames.LibvirtEvents).Message);
        Assert.DoesNotContain(later.Errors, e => e.Source == SourceNames.Kernel);
        Assert.False(later.Status.Stale);
        Assert.True(later.Status.LastReport.ToDateTimeOffset() > host.Status.LastReport.ToDateTimeOffset(), "the agent kept reporting");
        Assert.Single(agent.Output.Split('\n'), l => l.Contains("Cannot follow libvirt events", StringComparison.Ordinal));
    }
}
