using System.Text.Json;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary><c>daemonnet where/hosts/vms</c> run as processes against three real agents.</summary>
public class ClubWhereTests(ClubCluster club) : IClassFixture<ClubCluster>
{
    private SimulatedCluster Cluster => club.Cluster;

    [Fact]
    public void Where_VmName_ShowsHostNicsAndEachAddressWithItsSource()
    {
        var (exitCode, output, error) = Cluster.Daemonnet("where", "db1");

        Assert.True(exitCode == 0, error);
        Assert.Contains("db1 on daemon1: running", output);
        Assert.Contains($"{ClubCluster.Db1Nat}  nat-bridge (virbr0)  -", output);
        Assert.Contains("no address seen", output);
    }

    [Fact]
    public void Where_NameOnTwoHosts_ListsBothNeverOnePicked()
    {
        var (exitCode, output, _) = Cluster.Daemonnet("where", "web1");

        Assert.Equal(0, exitCode);
        Assert.Contains("2 VMs match 'web1':", output);
        Assert.Contains("web1 on daemon1: running", output);
        Assert.Contains("web1 on daemon2: running", output);
        Assert.Matches(@"192\.168\.122\.45\s+lease\s+daemon1\s+\d+ s ago, lease ends in 5\d min", output);
        // The kernel ages REACHABLE entries to STALE within about 30 s; both are live evidence.
        Assert.Matches(@"2001:db8:beef:1::45\s+neighbour (reachable|stale)\s+daemon1\s+\d+ s ago", output);
        Assert.Matches(@"forward-bridge \(br0\)\s+10\.77\.0\.50\s+neighbour stale\s+daemon1", output);
        Assert.Matches(@"192\.168\.122\.77\s+lease\s+daemon2", output);
    }

    [Theory]
    [InlineData("52:54:00:ab:01:01")]
    [InlineData("52:54:00:AB:01:01")]
    [InlineData("52-54-00-Ab-01-01")]
    [InlineData("192.168.122.45")]
    [InlineData("2001:db8:beef:1::45")]
    [InlineData("5f0c8a52-0001-4a5e-9c1e-000000000001")]
    public void Where_MacIpOrUuid_FindsWeb1OnDaemon1Only(string query)
    {
        var (exitCode, output, error) = Cluster.Daemonnet("where", query, "--json");

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        var vm = Assert.Single(json.RootElement.GetProperty("vms").EnumerateArray());
        Assert.Equal("web1", vm.GetProperty("name").GetString());
        Assert.Equal("daemon1", vm.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal("DOMAIN_STATE_RUNNING", vm.GetProperty("state").GetString());
    }

    [Fact]
    public void Where_ForwardBridgeVmSeenOnlyByAnotherHost_ShowsItsAddressAndWhoSawIt()
    {
        var (exitCode, output, error) = Cluster.Daemonnet("where", "10.77.0.61");

        Assert.True(exitCode == 0, error);
        Assert.Contains("lan2 on daemon2: running", output);
        Assert.Matches(@"bridge br0\s+10\.77\.0\.61\s+neighbour (reachable|stale)\s+daemon3", output);
    }

    [Fact]
    public void Where_FailedNeighbourEntry_IsNotAnAddress()
    {
        var (exitCode, _, error) = Cluster.Daemonnet("where", "192.168.122.46");

        Assert.Equal(1, exitCode);
        Assert.Contains("no VM matches '192.168.122.46'", error);
    }

    [Fact]
    public void Where_UnknownVm_ExitsOneWithASentence()
    {
        var (exitCode, output, error) = Cluster.Daemonnet("where", "nosuchvm");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal("daemonnet: no VM matches 'nosuchvm' (searched VM names, uuids, MACs and current addresses on every host).\n", error);
    }

    [Fact]
    public void Hosts_ThreeReportingHosts_AreListedAndFresh()
    {
        var (exitCode, output, _) = Cluster.Daemonnet("hosts");

        Assert.Equal(0, exitCode);
        HostsTable.AssertRow(output, "daemon1", 2, "ok");
        HostsTable.AssertRow(output, "daemon2", 2, "ok");
        HostsTable.AssertRow(output, "daemon3", 1, "ok");
    }

    [Fact]
    public void Vms_OnOneHost_ListsItsVmsWithState()
    {
        var (exitCode, output, _) = Cluster.Daemonnet("vms", "--host", "daemon3");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"mail1\s+daemon3\s+shut off\s+-", output);
        Assert.DoesNotContain("web1", output);
    }

    [Fact]
    public void Vms_AllHosts_ShowsTheBestEvidencedAddressFirst()
    {
        var (exitCode, output, _) = Cluster.Daemonnet("vms");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"web1\s+daemon1\s+running\s+-\s+192\.168\.122\.45 \(lease\)", output);
        Assert.Matches(@"lan2\s+daemon2\s+running\s+-\s+10\.77\.0\.61 \(neighbour (reachable|stale)\)", output);
    }

    [Fact]
    public void Cli_CollectorAndCertificatesFromEnvironment_AreUsedWhenNoFlagIsGiven()
    {
        var tls = Path.Combine(Cluster.CertificateDir, "admin");
        var (exitCode, output, error) = Shell.TryRun("ip", "netns", "exec", Cluster.Central.Name, "env",
            $"DAEMONNET_COLLECTOR={Cluster.CollectorUrl}", $"DAEMONNET_CA_FILE={Cluster.CertificateDir}/ca.pem",
            $"DAEMONNET_CERT_FILE={tls}.pem", $"DAEMONNET_KEY_FILE={tls}-key.pem", "dotnet", Programs.Cli, "hosts");

        Assert.True(exitCode == 0, error);
        Assert.Contains("daemon3", output);
    }

    [Fact]
    public void Where_WithAnAgentsCertificate_ExitsFourSayingTheRoleMayNotAsk()
    {
        var (exitCode, _, error) = Cluster.DaemonnetAs("daemon1", "where", "web1");

        Assert.Equal(4, exitCode);
        Assert.Contains("has the role 'agent', which may not call daemonnet.v1.Inventory; that needs a reader certificate", error);
    }
}
