using System.Diagnostics;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;

namespace DaemonNet.Bench;

/// <summary>
/// On a real libvirtd: the time from <c>virsh start</c> to <c>where</c> answering "running", as a
/// club member would wait for it. The native agent runs with its default 10 s interval against
/// qemu:///system; the question goes over mutual TLS every 10 ms. Each trial stops the guest again
/// and waits until <c>where</c> says so. The guests are <see cref="RealLibvirtHost"/>'s diskless TCG ones.
/// </summary>
internal sealed class LibvirtStartLatency(int trials)
{
    public async Task RunAsync()
    {
        using var libvirt = RealLibvirtHost.Start();
        using var folder = new TempDirectory();
        var certificates = folder.Folder("tls");
        Shell.Run("dotnet", Programs.Collector, "certs", "init", "--dir", certificates, "--san", "127.0.0.1");
        Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", certificates, "--name", "admin", "--role", "reader");
        Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", certificates, "--name", "bench1", "--role", "agent");
        string[] Tls(string name) =>
            ["--ca-file", Path.Combine(certificates, "ca.pem"), "--cert-file", Path.Combine(certificates, $"{name}.pem"), "--key-file", Path.Combine(certificates, $"{name}-key.pem")];
        var port = LoopbackPort.Free();
        using var collector = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", folder.File("collector.db"), .. Tls("collector")]);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        using var agent = RunningProgram.Start(Programs.Published("agent/daemonnet-agent"),
            ["--collector", $"https://127.0.0.1:{port}", "--host-name", "bench1", "--interfaces-file", "none", .. Tls("bench1")]);
        await agent.WaitForOutputAsync("Following libvirt events", TimeSpan.FromSeconds(30));

        var admin = new TlsFiles(Path.Combine(certificates, "ca.pem"), Path.Combine(certificates, "admin.pem"), Path.Combine(certificates, "admin-key.pem"));
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}",
            new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = admin.ClientOptions() } });
        var inventory = new Inventory.InventoryClient(channel);
        var vm = libvirt.Vm(1);
        libvirt.DefineVm(1);
        await UntilAsync(inventory, vm, DomainState.Shutoff);

        var started = new Latencies();
        var visible = new Latencies();
        for (var trial = 0; trial < trials; trial++)
        {
            var watch = Stopwatch.StartNew();
            RealLibvirtHost.Virsh("start", vm);
            started.Add(watch.Elapsed);
            await UntilAsync(inventory, vm, DomainState.Running);
            visible.Add(watch.Elapsed);
            RealLibvirtHost.Virsh("destroy", vm);
            await UntilAsync(inventory, vm, DomainState.Shutoff);
        }
        Console.WriteLine($"virsh start until where says running, real libvirtd, native agent (interval 10 s), mutual TLS, {trials} trials");
        Console.WriteLine($"  virsh start returned: {started.Summary}");
        Console.WriteLine($"  where says running:   {visible.Summary}, max {visible.Percentile(100):0.0} ms");
    }

    private static async Task UntilAsync(Inventory.InventoryClient inventory, string vm, DomainState state)
    {
        var deadline = Stopwatch.StartNew();
        while ((await inventory.WhereAsync(new WhereRequest { Query = vm })).Vms.FirstOrDefault()?.State != state)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"where {vm} did not say {state} within 60 s");
            }
            await Task.Delay(10);
        }
    }
}
