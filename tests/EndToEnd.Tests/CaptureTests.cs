using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Addresses only the wire shows: a "VM" is a network namespace on a veth enslaved to the host's
/// br0, with the MAC of a libvirt domain's NIC. It talks to the LAN, never to its host, so the
/// host's neighbour table never learns it; the agent's capture does, and where shows it.
/// </summary>
public sealed class CaptureTests : IDisposable
{
    private const string VmMac = "52:54:00:ab:09:01";
    private const string PrinterMac = "52:54:00:ee:00:07";
    private readonly SimulatedCluster cluster = new();
    private readonly List<NetworkNamespace> stations = [];

    public void Dispose()
    {
        foreach (var station in stations)
        {
            station.Dispose();
        }
        cluster.Dispose();
    }

    /// <summary>A station on the host's br0 with its own MAC and addresses, which pings a LAN address that is not the host's.</summary>
    private NetworkNamespace Station(SimulatedHost host, string name, string mac, string ipv4, string ipv6)
    {
        var station = NetworkNamespace.Create(name);
        stations.Add(station);
        host.Namespace.Ip("link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", station.Name);
        host.Namespace.Ip("link", "set", name, "master", "br0", "up");
        station.Ip("link", "set", "eth0", "address", mac);
        station.Ip("addr", "add", ipv4, "dev", "eth0");
        station.Ip("-6", "addr", "add", ipv6, "dev", "eth0", "nodad");
        station.Ip("link", "set", "eth0", "up");
        return station;
    }

    private static void TalkToTheLan(NetworkNamespace station)
    {
        Shell.TryRun("ip", "netns", "exec", station.Name, "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.77.0.99");
        Shell.TryRun("ip", "netns", "exec", station.Name, "ping", "-6", "-c", "2", "-i", "0.2", "-W", "1", "2001:db8:77::99");
    }

    [Fact]
    public async Task AVmThatNeverTalksToItsHost_IsFoundOnTheWire_AndOtherStationsAreNotReported()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web9", "5f0c8a52-0001-4a5e-9c1e-000000000009", running: true, ("network", VmMac, "forward-bridge")).Write();
        host.StartAgent();
        var vm = Station(host, "vm9", VmMac, "10.77.0.50/24", "2001:db8:77::50/64");
        var printer = Station(host, "prn7", PrinterMac, "10.77.0.70/24", "2001:db8:77::70/64");

        var where = await Eventually.HoldsAsync(() =>
        {
            TalkToTheLan(vm);
            TalkToTheLan(printer);
            return cluster.Daemonnet("where", "web9");
        }, r => r.Output.Contains("10.77.0.50") && r.Output.Contains("2001:db8:77::50"), "web9's addresses seen on the wire", TimeSpan.FromSeconds(60));
        var neighbours = host.Namespace.Ip("neigh", "show", "dev", "br0");
        var printerAnswer = cluster.Daemonnet("where", PrinterMac);

        Assert.Contains("seen on the wire", where.Output);
        Assert.DoesNotContain("neighbour", where.Output);
        Assert.DoesNotContain("10.77.0.50", neighbours);
        Assert.DoesNotContain("10.77.0.70", where.Output);
        Assert.Equal(1, printerAnswer.ExitCode);
    }

    [Fact]
    public async Task CaptureNone_ReportsNothingFromTheWire()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web9", "5f0c8a52-0001-4a5e-9c1e-000000000009", running: true, ("network", VmMac, "forward-bridge")).Write();
        host.StartAgent(extraArguments: ["--capture", "none"]);
        var vm = Station(host, "vm9", VmMac, "10.77.0.50/24", "2001:db8:77::50/64");

        var where = await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web9"), r => r.ExitCode == 0, "web9 reported");
        TalkToTheLan(vm);
        var afterTalking = await Eventually.HoldsAsync(() => cluster.Daemonnet("hosts"), r => r.ExitCode == 0, "hosts answered");

        Assert.Contains("web9 on daemon1", where.Output);
        Assert.DoesNotContain("10.77.0.50", cluster.Daemonnet("where", "web9").Output);
        Assert.DoesNotContain("capture", afterTalking.Output);
    }
}
