using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// <c>daemonnet tunnels</c> and <c>daemonnet audit</c> against real agents in namespaces. This
/// kernel has no sit module, so the HE tunnel that daemon1's interfaces file configures is
/// missing, and a vxlan between daemon1 and daemon2 stands in for a running tunnel.
/// </summary>
public sealed class TunnelAuditTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    private async Task<(SimulatedHost, SimulatedHost)> StartAsync()
    {
        // Traffic rows from every report (the default is one a minute), so that seconds of traffic show.
        await cluster.StartCollectorAsync("--tunnel-limit", "daemon2/vx0=8kbit", "--routed-prefix", "daemon1/vx0=2001:db8:beef:1::/64",
            "--traffic-sample-every", "0s");
        var daemon1 = cluster.AddHost(1);
        var daemon2 = cluster.AddHost(2);
        await File.AppendAllTextAsync(daemon1.InterfacesFile, """

            # Hurricane Electric tunnel broker
            auto he-ipv6
            iface he-ipv6 inet6 v4tunnel
                address 2001:470:1f0a:a6f::2
                netmask 64
                endpoint 216.66.80.26
                local 10.99.0.11
                ttl 255
                gateway 2001:470:1f0a:a6f::1
            """);
        await File.AppendAllTextAsync(daemon2.InterfacesFile, """

            auto vx0
            iface vx0 inet tunnel
                mode vxlan
                address 10.210.0.2
                netmask 24
                local 10.99.0.12
                endpoint 10.99.0.250
            """);
        daemon1.Namespace.AddVxlan("vx0", 210, "10.99.0.11", "10.99.0.12", "eth0", "10.210.0.1/24", "2001:db8:beef:99::1/64");
        daemon2.Namespace.AddVxlan("vx0", 210, "10.99.0.12", "10.99.0.11", "eth0", "10.210.0.2/24");
        daemon1.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "forward-bridge")).Write();
        daemon1.StartAgent();
        daemon2.StartAgent();
        await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts"), r => r.Output.Contains("daemon1") && r.Output.Contains("daemon2"), "both hosts reporting");
        return (daemon1, daemon2);
    }

    [Fact]
    public async Task Tunnels_TwoHosts_ShowEndpointsPrefixesTrafficAndDrift()
    {
        var (_, daemon2) = await StartAsync();
        // Traffic flows while the test asks, until the collector shows it.
        var (exitCode, output, error) = await Eventually.HoldsAsync(() =>
            {
                daemon2.Namespace.SendUdp("10.210.0.1", 20, 1000);
                return cluster.Daemonnet("tunnels");
            },
            r => r.ExitCode == 0 && r.Output.Contains("KiB"), "tunnels showing the vxlan's traffic");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Matches(@"he-ipv6\s+v4tunnel\s+10\.99\.0\.11 → 216\.66\.80\.26\s+-\s+absent", output);
        var line = Array.IndexOf(await File.ReadAllLinesAsync(cluster.Hosts[0].InterfacesFile), "iface he-ipv6 inet6 v4tunnel") + 1;
        Assert.Contains($"configured at {cluster.Hosts[0].InterfacesFile}:{line} but missing", output);
        Assert.Matches(@"vx0\s+vxlan\s+10\.99\.0\.11 → 10\.99\.0\.12\s+2001:db8:beef:99::1/64, routed 2001:db8:beef:1::/64\s+up", output);
        Assert.Contains("not in the interfaces file", output);
        Assert.Contains("configured 10.99.0.12 → 10.99.0.250", output);
        Assert.Contains("8 kbit/s (p95", output);
        Assert.Contains("network IPv6: 2001:db8:beef:1::1/64", output);
        Assert.Contains("bridges: br0 rx", output);

        var json = cluster.Daemonnet("tunnels", "--host", "daemon2", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Contains("\"name\": \"daemon2\"", json.Output);
        Assert.DoesNotContain("\"name\": \"daemon1\"", json.Output);
    }

    [Fact]
    public async Task Audit_TwoHosts_ReportsTunnelAndNetRegFindingsWithExitCodes()
    {
        var (_, daemon2) = await StartAsync();
        var netreg = cluster.Folder.File("netreg.csv");
        await File.WriteAllTextAsync(netreg, "hostname,mac,owner\nweb2,52:54:00:AB:02:01,club\n");
        var (exitCode, output, _) = await Eventually.HoldsAsync(() =>
            {
                daemon2.Namespace.SendUdp("10.210.0.1", 10, 1000);
                return cluster.Daemonnet("audit", "--netreg", netreg);
            },
            r => r.Output.Contains("tunnel-near-limit"), "the audit seeing daemon2/vx0 over its limit");

        Assert.Equal(1, exitCode);
        Assert.Matches(@"CRITICAL\s+tunnel-missing\s+Tunnel daemon1/he-ipv6 is configured to come up at boot but does not exist", output);
        Assert.Matches(@"CRITICAL\s+tunnel-near-limit\s+Tunnel daemon2/vx0 carries", output);
        Assert.Matches(@"WARNING\s+tunnel-endpoint-drift\s+Tunnel daemon2/vx0", output);
        Assert.Matches(@"WARNING\s+netreg-unregistered\s+web1 on daemon1 uses 52:54:00:ab:01:01 on the LAN", output);
        Assert.Contains("→ Register 52:54:00:ab:01:01 in NetReg", output);
        Assert.DoesNotContain("tunnel-unconfigured", output);
        Assert.Contains("below warning not shown", output);

        var everything = cluster.Daemonnet("audit", "--min-severity", "info", "--json");
        Assert.Equal(1, everything.ExitCode);
        Assert.Contains("\"rule\": \"tunnel-unconfigured\"", everything.Output);
        Assert.Contains("\"severity\": \"SEVERITY_INFO\"", everything.Output);
    }

    [Fact]
    public async Task Audit_BadNetRegFile_IsAUsageErrorNamingTheLine()
    {
        await cluster.StartCollectorAsync();
        var netreg = cluster.Folder.File("netreg.csv");
        await File.WriteAllTextAsync(netreg, "mac,hostname\n52:54:00:ab:01:01,web1\nnot-a-mac,web2\n");

        var (exitCode, _, error) = cluster.Daemonnet("audit", "--netreg", netreg);

        Assert.Equal(2, exitCode);
        Assert.Equal($"daemonnet: {netreg} line 3: 'not-a-mac' is not a MAC address (write it as 52:54:00:12:34:56)", error.Trim());
    }
}
