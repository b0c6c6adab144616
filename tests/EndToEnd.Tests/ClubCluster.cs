using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// The club's situation, three daemon hosts, shared by the read-only tests of <see cref="ClubWhereTests"/>:
/// <list type="bullet">
/// <item>daemon1: web1 with a nat-bridge NIC (DHCP lease for IPv4, neighbour entry for IPv6) and a
/// forward-bridge NIC (neighbour entry on br0 only); db1 whose only neighbour entry is FAILED.</item>
/// <item>daemon2: another VM named web1 (the same name on a second host); lan2 on forward-bridge,
/// which only daemon3's neighbour table has seen.</item>
/// <item>daemon3: mail1, shut off; the neighbour entry for lan2.</item>
/// </list>
/// </summary>
public sealed class ClubCluster : IAsyncLifetime
{
    public const string Web1Nat = "52:54:00:ab:01:01";
    public const string Web1Lan = "52:54:00:ab:01:02";
    public const string Db1Nat = "52:54:00:ab:01:03";
    public const string Web1OnDaemon2 = "52:54:00:ab:02:01";
    public const string Lan2 = "52:54:00:ab:02:02";

    public SimulatedCluster Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.StartCollectorAsync();
        var expiry = DateTimeOffset.UtcNow.AddHours(1);

        var daemon1 = Cluster.AddHost(1);
        daemon1.Node
            .Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", Web1Nat, "nat-bridge"), ("network", Web1Lan, "forward-bridge"))
            .Domain("db1", "5f0c8a52-0001-4a5e-9c1e-000000000003", running: true, ("network", Db1Nat, "nat-bridge"))
            .Write();
        DnsmasqStatusFile.Write(daemon1.LeasesDir, "virbr0", ("192.168.122.45", Web1Nat, "web1", expiry));
        daemon1.Namespace.SetNeighbour("2001:db8:beef:1::45", Web1Nat, "virbr0", "reachable");
        daemon1.Namespace.SetNeighbour("10.77.0.50", Web1Lan, "br0", "stale");
        daemon1.Namespace.SetNeighbour("192.168.122.46", null, "virbr0", "failed");

        var daemon2 = Cluster.AddHost(2);
        daemon2.Node
            .Domain("web1", "5f0c8a52-0002-4a5e-9c1e-000000000001", running: true, ("network", Web1OnDaemon2, "nat-bridge"))
            .Domain("lan2", "5f0c8a52-0002-4a5e-9c1e-000000000002", running: true, ("bridge", Lan2, "br0"))
            .Write();
        DnsmasqStatusFile.Write(daemon2.LeasesDir, "virbr0", ("192.168.122.77", Web1OnDaemon2, "web1", expiry));

        var daemon3 = Cluster.AddHost(3);
        daemon3.Node.Domain("mail1", "5f0c8a52-0003-4a5e-9c1e-000000000001", running: false, ("network", "52:54:00:03:00:01", "nat-bridge")).Write();
        DnsmasqStatusFile.Write(daemon3.LeasesDir, "virbr0");
        daemon3.Namespace.SetNeighbour("10.77.0.61", Lan2, "br0", "reachable");

        foreach (var host in Cluster.Hosts)
        {
            host.StartAgent();
        }
        await Eventually.HoldsAsync(() => Cluster.Daemonnet("hosts"), r => r.ExitCode == 0 && Cluster.Hosts.All(h => r.Output.Contains(h.Name)),
            "all three hosts reporting");
    }

    public Task DisposeAsync()
    {
        Cluster.Dispose();
        return Task.CompletedTask;
    }
}
