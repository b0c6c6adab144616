using System.Text.Json;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>The real libvirtd, its network and daemons, shared by the tests of one class and removed after them.</summary>
public sealed class RealLibvirtFixture : IDisposable
{
    public RealLibvirtHost Host { get; } = RealLibvirtHost.Start();

    public void Dispose() => Host.Dispose();
}

/// <summary>
/// The agent against a real libvirtd with diskless guests that get real leases and neighbour
/// entries (see <see cref="RealLibvirtHost"/>). The agent runs on this machine as on a club host:
/// qemu:///system, libvirt's dnsmasq lease folder, the kernel's own tables, no ifupdown. Its
/// interval is five minutes, so what arrives sooner came by an event: the kernel's, a lease file's
/// or libvirt's. Each test uses guests of its own.
/// </summary>
public sealed class RealLibvirtTests : IClassFixture<RealLibvirtFixture>, IDisposable
{
    private const string HostName = "real1";
    private static readonly TimeSpan BootPatience = TimeSpan.FromSeconds(90);

    private readonly RealLibvirtHost libvirt;
    private readonly TempDirectory folder = new();
    private readonly string certificates;
    private readonly RunningProgram collector;
    private readonly RunningProgram agent;
    private readonly string collectorUrl;

    public RealLibvirtTests(RealLibvirtFixture fixture)
    {
        libvirt = fixture.Host;
        certificates = folder.Folder("tls");
        Shell.Run("dotnet", Programs.Collector, "certs", "init", "--dir", certificates, "--san", "127.0.0.1");
        Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", certificates, "--name", "admin", "--role", "reader");
        Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", certificates, "--name", HostName, "--role", "agent");
        var port = LoopbackPort.Free();
        collectorUrl = $"https://127.0.0.1:{port}";
        collector = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", folder.File("collector.db"), .. Tls("collector")]);
        collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        agent = RunningProgram.Start(Programs.Agent,
        [
            "--collector", collectorUrl, "--host-name", HostName, "--libvirt-uri", RealLibvirtHost.Uri, "--interval", "5m",
            "--leases-dir", RealLibvirtHost.LeasesDir, "--interfaces-file", "none", .. Tls(HostName),
        ]);
        agent.WaitForOutputAsync("Following libvirt events", TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        agent.Dispose();
        collector.Dispose();
        folder.Dispose();
    }

    private string[] Tls(string name) =>
        ["--ca-file", Path.Combine(certificates, "ca.pem"), "--cert-file", Path.Combine(certificates, $"{name}.pem"), "--key-file", Path.Combine(certificates, $"{name}-key.pem")];

    private (int ExitCode, string Output, string Error) Daemonnet(params string[] arguments) =>
        Shell.TryRun("dotnet", [Programs.Cli, "--collector", collectorUrl, .. Tls("admin"), .. arguments]);

    private Task<(int ExitCode, string Output, string Error)> UntilAsync(string[] command, string expected, TimeSpan? patience = null) =>
        Eventually.HoldsAsync(() => Daemonnet(command), r => r.ExitCode == 0 && r.Output.Contains(expected, StringComparison.Ordinal),
            $"'daemonnet {string.Join(' ', command)}' showing '{expected}' (agent said: {agent.Output})", patience ?? BootPatience);

    private async Task<string> BootAsync(int number)
    {
        libvirt.DefineVm(number);
        RealLibvirtHost.Virsh("start", libvirt.Vm(number));
        await UntilAsync(["where", libvirt.Vm(number)], $"{libvirt.Vm(number)} on {HostName}: running");
        return await Eventually.HoldsAsync(() => RealLibvirtHost.LeaseAddressOf(libvirt.Vm(number)), ip => ip.Length > 0,
            $"a DHCP lease for {libvirt.Vm(number)}", BootPatience);
    }

    /// <summary>The host's neighbour entries for a MAC that are evidence (not FAILED or INCOMPLETE), as <c>ip -j neigh</c> shows them.</summary>
    private List<string> LiveNeighbours(string mac)
    {
        using var entries = JsonDocument.Parse(Shell.Run("ip", "-j", "neigh", "show", "dev", libvirt.Bridge));
        return entries.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("lladdr", out var lladdr) && lladdr.GetString() == mac)
            .Where(e => e.GetProperty("state").EnumerateArray().All(s => s.GetString() is not ("FAILED" or "INCOMPLETE")))
            .Select(e => e.GetProperty("dst").GetString()!)
            .ToList();
    }

    [Fact]
    public async Task Where_BootedGuests_AgreeWithVirshTheLeaseFileAndTheNeighbourTable()
    {
        var ip1 = await BootAsync(1);
        await BootAsync(RealLibvirtHost.InfiniteLeaseGuest);

        var (_, byName, _) = await UntilAsync(["where", libvirt.Vm(1)], $"{ip1} ");
        var (_, byIp, _) = await UntilAsync(["where", ip1], $"{libvirt.Vm(1)} on {HostName}: running");
        // Item 1: dnsmasq writes "expiry-time": 0 for an infinite lease; it is a lease that never ends, not one that ended in 1970.
        Assert.Contains($"\"expiry-time\": 0", await File.ReadAllTextAsync(libvirt.LeaseFile));
        await UntilAsync(["where", libvirt.Vm(RealLibvirtHost.InfiniteLeaseGuest)], "lease never ends");
        await UntilAsync(["where", libvirt.InfiniteLeaseIp], $"{libvirt.Vm(RealLibvirtHost.InfiniteLeaseGuest)} on {HostName}");

        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(ip1)}\s+lease\s+{HostName}", byName);
        Assert.Contains(libvirt.Mac(1), byIp);
        // The neighbour table moves on its own (DELAY, PROBE, FAILED): wait for a moment when every
        // live entry the host has for the guests' MACs is in the answers, and there is at least one.
        // A guest quiet since its DHCP exchange leaves no entry (dnsmasq answers without one), so
        // the host asks for the guests' MACs itself, as a ping from the host does.
        List<string> GuestNeighbours() => [.. LiveNeighbours(libvirt.Mac(1)), .. LiveNeighbours(libvirt.Mac(2))];
        await Eventually.HoldsAsync(() =>
            {
                var live = GuestNeighbours();
                if (live.Count == 0)
                {
                    Shell.TryRun("ping", "-c", "1", "-W", "1", ip1);
                    Shell.TryRun("ping", "-c", "1", "-W", "1", libvirt.InfiniteLeaseIp);
                    live = GuestNeighbours();
                }
                var answers = Daemonnet("where", libvirt.Vm(1)).Output + Daemonnet("where", libvirt.Vm(2)).Output;
                // As text, so that a failure shows the entries.
                return (Live: string.Join(' ', live), Answers: answers);
            },
            r => r.Live.Length > 0 && r.Live.Split(' ').All(ip => r.Answers.Contains($"{ip} ", StringComparison.Ordinal)),
            "every live neighbour entry of the guests in where's answers", BootPatience);
    }

    [Fact]
    public async Task Restart_LibvirtRenumbersTheTap_TheNicKeepsOneIntervalInHistory()
    {
        const int number = 3;
        await BootAsync(number);
        var firstTap = libvirt.TapOf(number);

        RealLibvirtHost.Virsh("destroy", libvirt.Vm(number));
        await UntilAsync(["where", libvirt.Vm(number)], "shut off");
        RealLibvirtHost.Virsh("start", libvirt.Vm(number));
        await UntilAsync(["where", libvirt.Vm(number)], $"{libvirt.Vm(number)} on {HostName}: running");

        Assert.NotEqual(firstTap, libvirt.TapOf(number), StringComparer.Ordinal);
        var history = Daemonnet("history", libvirt.Vm(number));
        Assert.True(history.ExitCode == 0, history.Error);
        Assert.Single(history.Output.Split('\n'), line => line.Contains($"NIC {libvirt.Mac(number)}", StringComparison.Ordinal));
        Assert.Contains("shut off", history.Output);
    }

    [Fact]
    public async Task Stop_TheLeaseOutlivesTheGuest_WhereSaysSoAndVmsShowsNoAddress()
    {
        const int number = 4;
        var ip = await BootAsync(number);
        await UntilAsync(["where", libvirt.Vm(number)], $"{ip} ");

        RealLibvirtHost.Virsh("destroy", libvirt.Vm(number));

        var (_, stopped, _) = await UntilAsync(["where", libvirt.Vm(number)], "shut off");
        Assert.Contains("the lease outlives the stopped VM", stopped);
        Assert.Contains(ip, stopped);
        var vms = Daemonnet("vms");
        Assert.Matches($@"{libvirt.Vm(number)}\s+{HostName}\s+shut off\s+-", vms.Output);
    }

    [Fact]
    public async Task Suspend_TheAgentPollsEveryFiveMinutes_TheStateArrivesByALibvirtEvent()
    {
        // A suspend or resume changes no link, address, neighbour or lease: only libvirt's event can
        // bring it within the 30 s this test waits, against the agent's 5 min interval.
        const int number = 5;
        await BootAsync(number);

        RealLibvirtHost.Virsh("suspend", libvirt.Vm(number));
        await UntilAsync(["where", libvirt.Vm(number)], $"{libvirt.Vm(number)} on {HostName}: paused", TimeSpan.FromSeconds(30));
        RealLibvirtHost.Virsh("resume", libvirt.Vm(number));
        await UntilAsync(["where", libvirt.Vm(number)], $"{libvirt.Vm(number)} on {HostName}: running", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task LibvirtdRestarted_TheAgentFollowsItsEventsAgain()
    {
        const int number = 6;
        await BootAsync(number);

        RealLibvirtHost.RestartLibvirtd();
        await Eventually.HoldsAsync(() => agent.Output.Split('\n').Count(l => l.Contains("Following libvirt events", StringComparison.Ordinal)),
            count => count >= 2, $"the agent following libvirt's events again (agent said: {agent.Output})", TimeSpan.FromSeconds(60));
        RealLibvirtHost.Virsh("suspend", libvirt.Vm(number));

        await UntilAsync(["where", libvirt.Vm(number)], $"{libvirt.Vm(number)} on {HostName}: paused", TimeSpan.FromSeconds(30));
        Assert.Contains("libvirt closed the event connection", agent.Output);
    }
}
