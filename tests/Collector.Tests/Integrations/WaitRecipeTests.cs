using System.Text.RegularExpressions;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Integrations;

/// <summary>
/// The README's provisioning recipe, taken from the README as written and run by bash with curl
/// and jq against a collector over mutual TLS, for a VM that is defined only after it started waiting.
/// </summary>
public sealed class WaitRecipeTests
{
    private const string Mac = "52:54:00:aa:00:05";

    private static string Recipe()
    {
        var readme = File.ReadAllText(Path.Combine(Programs.RepositoryRoot, "README.md"));
        var block = Regex.Matches(readme, "```sh\n(?<lines>.*?)```", RegexOptions.Singleline | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1))
            .Select(m => m.Groups["lines"].Value).Single(b => b.Contains("wait=5m", StringComparison.Ordinal));
        return block;
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(TlsCollector cluster, string recipe) => Task.Run(() => Shell.TryRun("env",
        $"DAEMONNET_COLLECTOR={cluster.Server.Url}", $"DAEMONNET_CA_FILE={Path.Combine(cluster.Dir, "ca.pem")}",
        $"DAEMONNET_CERT_FILE={Path.Combine(cluster.Dir, "alice.pem")}", $"DAEMONNET_KEY_FILE={Path.Combine(cluster.Dir, "alice-key.pem")}",
        "bash", "-c", recipe));

    [Fact]
    public async Task Recipe_ForAVmDefinedAfterItStarted_PrintsItsIpv4AddressAndExits0()
    {
        await using var cluster = await TlsCollector.StartAsync(realClock: true);
        await cluster.ReportAsync(Host("daemon1").WithClubNetworks());

        var waiting = RunAsync(cluster, Recipe());
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cluster.ReportAsync(Host("daemon1", Vm("web5", 5, nics: NatNic(Mac))).WithClubNetworks()
            .WithNeighbour("2001:db8:beef:1::5", Mac, NeighbourState.Reachable));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cluster.ReportAsync(Host("daemon1", Vm("web5", 5, nics: NatNic(Mac))).WithClubNetworks()
            .WithNeighbour("2001:db8:beef:1::5", Mac, NeighbourState.Reachable).WithNeighbour("192.168.122.5", Mac, NeighbourState.Reachable));
        var (exitCode, output, error) = await waiting;

        Assert.True(exitCode == 0, error);
        Assert.Equal("192.168.122.5", output.Trim());
    }

    [Fact]
    public async Task Recipe_WhenTheWaitRunsOut_SaysWhatWasSeenAndExits1()
    {
        await using var cluster = await TlsCollector.StartAsync(realClock: true);
        await cluster.ReportAsync(Host("daemon1", Vm("web5", 5, nics: NatNic(Mac))).WithClubNetworks()
            .WithNeighbour("2001:db8:beef:1::5", Mac, NeighbourState.Reachable));

        var (exitCode, output, error) = await RunAsync(cluster, Recipe().Replace("wait=5m", "wait=2s", StringComparison.Ordinal));

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Contains("web5 has no IPv4 address: {\"code\":4,\"message\":\"waited 2s for an IPv4 address of 'web5': web5 on daemon1 is running with 2001:db8:beef:1::5\"", error, StringComparison.Ordinal);
    }
}
