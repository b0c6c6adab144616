using System.Text.Json;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary><c>where --wait</c> and <c>watch</c> as people use them, against real agents in namespaces.</summary>
public sealed class WatchTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    private RunningProgram Cli(params string[] arguments) =>
        RunningProgram.Start(Programs.Cli, ["--collector", cluster.CollectorUrl, .. cluster.TlsArguments("admin"), .. arguments], cluster.Central);

    [Fact]
    public async Task WhereWait_VmDefinedAfterTheCommandStarted_ReturnsWhenItsLeaseAppears()
    {
        await cluster.StartCollectorAsync();
        var daemon1 = cluster.AddHost(1);
        daemon1.StartAgent();
        await daemon1.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(30));
        using var waiting = Cli("where", "web5", "--wait", "--timeout", "60s", "--family", "inet");

        daemon1.Node.Domain("web5", "5f0c8a52-0005-4a5e-9c1e-000000000005", running: true, ("network", "52:54:00:ab:05:01", "nat-bridge")).Write();
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web5"), r => r.ExitCode == 0 && r.Output.Contains("no address seen"), "web5 defined, without an address");
        Assert.False(waiting.HasExited, $"where --wait returned before web5 had an IPv4 address: {waiting.Output}");
        DnsmasqStatusFile.Write(daemon1.LeasesDir, "virbr0", ("192.168.122.55", "52:54:00:ab:05:01", "web5", DateTimeOffset.UtcNow.AddHours(1)));

        Assert.Equal(0, await waiting.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("web5 on daemon1: running", waiting.Output);
        Assert.Contains("192.168.122.55", waiting.Output);
    }

    [Fact]
    public async Task WhereWait_NothingArrives_ExitsOneSayingWhatItSaw()
    {
        await cluster.StartCollectorAsync();
        var daemon1 = cluster.AddHost(1);
        daemon1.Node.Domain("web6", "5f0c8a52-0006-4a5e-9c1e-000000000006", running: true, ("network", "52:54:00:ab:06:01", "nat-bridge")).Write();
        daemon1.StartAgent();
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web6"), r => r.ExitCode == 0, "web6 known");

        var (exitCode, _, error) = cluster.Daemonnet("where", "web6", "--wait", "--timeout", "2s");

        Assert.Equal(1, exitCode);
        Assert.Contains("waited 2s for an address of 'web6': web6 on daemon1 is running with no address seen", error);
    }

    [Fact]
    public async Task WatchJson_AStateChangeAnAddressAndAMove_EachArriveAsALineOfJsonAfterTheCurrentAnswer()
    {
        await cluster.StartCollectorAsync();
        var daemon1 = cluster.AddHost(1);
        var daemon2 = cluster.AddHost(2);
        const string uuid = "5f0c8a52-0009-4a5e-9c1e-000000000009";
        daemon1.Node.Domain("web9", uuid, running: true, ("network", "52:54:00:ab:09:01", "nat-bridge")).Write();
        daemon1.StartAgent();
        daemon2.StartAgent();
        await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts"), r => r.Output.Contains("daemon1") && r.Output.Contains("daemon2"), "both hosts reporting");
        using var watch = Cli("watch", "web9", "--json");
        // The first line is the current answer: from then on the watch misses nothing.
        await WaitForEventAsync(watch, "WATCH_EVENT_KIND_CURRENT", "");

        daemon1.Node.Clear().Domain("web9", uuid, running: false, ("network", "52:54:00:ab:09:01", "nat-bridge")).Write();
        await WaitForEventAsync(watch, "WATCH_EVENT_KIND_VM_CHANGED", "daemon1");
        daemon1.Namespace.SetNeighbour("192.168.122.99", "52:54:00:ab:09:01", "virbr0", "reachable");
        await WaitForEventAsync(watch, "WATCH_EVENT_KIND_ADDRESS_BOUND", "daemon1");
        daemon2.Node.Domain("web9", uuid, running: true, ("network", "52:54:00:ab:09:01", "nat-bridge")).Write();
        daemon1.Node.Clear().Write();
        await WaitForEventAsync(watch, "WATCH_EVENT_KIND_VM_UNDEFINED", "daemon1");
        await WaitForEventAsync(watch, "WATCH_EVENT_KIND_VM_DEFINED", "daemon2");

        var events = Events(watch);
        Assert.Contains(events, e => Kind(e) == "WATCH_EVENT_KIND_VM_CHANGED" && e.GetProperty("state").GetString() == "DOMAIN_STATE_SHUTOFF");
        Assert.Contains(events, e => Kind(e) == "WATCH_EVENT_KIND_ADDRESS_BOUND" && e.GetProperty("address").GetProperty("ip").GetString() == "192.168.122.99"
            && e.GetProperty("vmName").GetString() == "web9");
        Assert.Contains(events, e => Kind(e) == "WATCH_EVENT_KIND_VM_DEFINED" && e.GetProperty("host").GetString() == "daemon2" && e.GetProperty("vmName").GetString() == "web9");
    }

    private static string Kind(JsonElement e) => e.GetProperty("kind").GetString()!;

    /// <summary>Every line the watch printed, each parsed as one JSON object: a line that is not one fails the test.</summary>
    private static List<JsonElement> Events(RunningProgram watch) =>
        watch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static Task WaitForEventAsync(RunningProgram watch, string kind, string host) =>
        Eventually.HoldsAsync(() => Events(watch), events => events.Any(e => Kind(e) == kind && e.GetProperty("host").GetString() == host),
            $"a {kind} line for {host} from daemonnet watch --json (printed: {watch.Output})");
}
