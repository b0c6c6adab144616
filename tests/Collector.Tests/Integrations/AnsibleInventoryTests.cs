using System.Text.Json;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Integrations;

/// <summary>
/// Debian's real ansible-inventory runs the inventory script the package ships
/// (deploy/ansible-inventory), which runs the daemonnet CLI, which asks a collector over mutual TLS.
/// </summary>
public sealed class AnsibleInventoryTests
{
    private const string WebMac = "52:54:00:aa:00:01";
    private const string DbMac = "52:54:00:aa:00:02";

    private static async Task<TlsCollector> ClusterAsync()
    {
        var cluster = await TlsCollector.StartAsync();
        var web1 = Vm("web1", 1, nics: NatNic(WebMac));
        web1.Owner = "alice";
        await cluster.ReportAsync(Host("daemon1", web1, Vm("db1", 2, DomainState.Shutoff, NatNic(DbMac))).WithClubNetworks()
            .WithLease("192.168.122.45", WebMac, TimeSpan.FromHours(1))
            .WithNeighbour("2001:db8:beef:1::45", WebMac, NeighbourState.Reachable, "virbr0"));
        return cluster;
    }

    /// <summary>ansible-inventory with the shipped script, a <c>daemonnet</c> on PATH that runs the built CLI, and the reader's settings in the environment.</summary>
    private static (int ExitCode, string Output, string Error) AnsibleInventory(TlsCollector cluster, TempDirectory bin, params string[] arguments)
    {
        File.WriteAllText(bin.File("daemonnet"), $"#!/bin/sh\nexec dotnet {Programs.Cli} \"$@\"\n");
        File.SetUnixFileMode(bin.File("daemonnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] environment =
        [
            $"PATH={bin.Path}:{Environment.GetEnvironmentVariable("PATH")}",
            $"HOME={bin.Path}",
            $"DAEMONNET_COLLECTOR={cluster.Server.Url}",
            $"DAEMONNET_CA_FILE={Path.Combine(cluster.Dir, "ca.pem")}",
            $"DAEMONNET_CERT_FILE={Path.Combine(cluster.Dir, "alice.pem")}",
            $"DAEMONNET_KEY_FILE={Path.Combine(cluster.Dir, "alice-key.pem")}",
        ];
        return Shell.TryRun("env", [.. environment, .. arguments.Select(a => a == "SCRIPT" ? Path.Combine(Programs.RepositoryRoot, "deploy", "ansible-inventory") : a)]);
    }

    [Fact]
    public async Task List_GroupsByHostNetworkStateAndOwner_WithHostVarsInOneCall()
    {
        await using var cluster = await ClusterAsync();
        using var bin = new TempDirectory();

        var (exitCode, output, error) = AnsibleInventory(cluster, bin, "ansible-inventory", "-i", "SCRIPT", "--list");

        Assert.True(exitCode == 0, error);
        using var inventory = JsonDocument.Parse(output);
        var root = inventory.RootElement;
        string[] Hosts(string group) => root.GetProperty(group).GetProperty("hosts").EnumerateArray().Select(h => h.GetString()!).ToArray();
        Assert.Equal(["db1", "web1"], Hosts("daemonnet_host_daemon1"));
        Assert.Equal(["db1", "web1"], Hosts("daemonnet_network_nat_bridge"));
        Assert.Equal(["web1"], Hosts("daemonnet_state_running"));
        Assert.Equal(["db1"], Hosts("daemonnet_state_shut_off"));
        Assert.Equal(["web1"], Hosts("daemonnet_owner_alice"));
        var web1 = root.GetProperty("_meta").GetProperty("hostvars").GetProperty("web1");
        Assert.Equal("192.168.122.45", web1.GetProperty("ansible_host").GetString());
        Assert.Equal(("daemon1", "alice"), (web1.GetProperty("daemonnet_host").GetString(), web1.GetProperty("daemonnet_owner").GetString()));
        Assert.Equal([WebMac], web1.GetProperty("daemonnet_macs").EnumerateArray().Select(m => m.GetString()), StringComparer.Ordinal);
        Assert.Equal(["192.168.122.45 lease", "2001:db8:beef:1::45 neighbour"],
            web1.GetProperty("daemonnet_addresses").EnumerateArray().Select(a => $"{a.GetProperty("ip").GetString()} {a.GetProperty("source").GetString()}"), StringComparer.Ordinal);
        Assert.False(root.GetProperty("_meta").GetProperty("hostvars").GetProperty("db1").TryGetProperty("ansible_host", out _), "a stopped VM has no address to connect to");
    }

    [Fact]
    public async Task Graph_ShowsTheGroupsAsAnsibleReadsThem()
    {
        await using var cluster = await ClusterAsync();
        using var bin = new TempDirectory();

        var (exitCode, output, error) = AnsibleInventory(cluster, bin, "ansible-inventory", "-i", "SCRIPT", "--graph");

        Assert.True(exitCode == 0, error);
        Assert.Contains("@daemonnet_owner_alice:\n  |  |--web1", output, StringComparison.Ordinal);
        Assert.Contains("@daemonnet_state_shut_off:\n  |  |--db1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_WithThePreferenceSetInTheEnvironment_ConnectsOverIpv6()
    {
        await using var cluster = await ClusterAsync();
        using var bin = new TempDirectory();

        var (exitCode, output, error) = AnsibleInventory(cluster, bin, "DAEMONNET_ANSIBLE_FAMILY=inet6", "SCRIPT", "--host", "web1");
        var unknown = AnsibleInventory(cluster, bin, "SCRIPT", "--host", "nosuchvm");

        Assert.True(exitCode == 0, error);
        using var vars = JsonDocument.Parse(output);
        Assert.Equal("2001:db8:beef:1::45", vars.RootElement.GetProperty("ansible_host").GetString());
        Assert.Equal((0, "{}"), (unknown.ExitCode, unknown.Output.Trim()));
    }

    [Fact]
    public async Task Inventory_WithABadPreference_SaysWhatIsAccepted()
    {
        await using var cluster = await ClusterAsync();
        using var bin = new TempDirectory();

        var (exitCode, _, error) = AnsibleInventory(cluster, bin, "DAEMONNET_ANSIBLE_SOURCES=lease,dhcp", "SCRIPT", "--list");

        Assert.Equal(2, exitCode);
        Assert.Contains("'dhcp' is not an evidence source; use guest-agent, lease, neighbour, capture, claim", error, StringComparison.Ordinal);
    }
}
