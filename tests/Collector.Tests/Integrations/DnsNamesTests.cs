using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Integrations;

/// <summary>
/// Names of addresses from a real DNS server: dnsmasq, authoritative for the club's names, in a
/// network namespace of the test's own that a veth pair joins to this one. The collector's
/// resolver file names it, as /etc/resolv.conf names a club's resolver.
/// </summary>
public sealed class DnsNamesTests : IDisposable
{
    private const string WebMac = "52:54:00:aa:00:01";
    private const string DbMac = "52:54:00:aa:00:02";
    private const string Server = "10.254.53.2";

    private static int instances;

    private readonly NetworkNamespace dns = NetworkNamespace.Create("dns");
    private readonly TempDirectory folder = new();
    private readonly RunningProgram dnsmasq;

    // A name of each test's own: the kernel frees a deleted namespace's interfaces in the
    // background, so the last test's machine end may still exist when the next test starts.
    private readonly string outside = $"dn{Environment.ProcessId}d{Interlocked.Increment(ref instances)}";

    public DnsNamesTests()
    {
        Shell.Run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", dns.Name);
        Shell.Run("ip", "addr", "add", "10.254.53.1/30", "dev", outside);
        Shell.Run("ip", "link", "set", outside, "up");
        dns.Ip("addr", "add", $"{Server}/30", "dev", "eth0");
        dns.Ip("link", "set", "eth0", "up");
        // web1's names are both ways; 192.168.122.47 is db2's, but its PTR names web1.
        dnsmasq = RunningProgram.Start("dnsmasq", [
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces", $"--listen-address={Server}", "--port=53",
            "--pid-file=", "--user=root", "--local-ttl=300",
            "--host-record=web1.club.example,192.168.122.45",
            "--host-record=db2.club.example,192.168.122.48",
            "--ptr-record=47.122.168.192.in-addr.arpa,web1.club.example"], dns);
        File.WriteAllText(folder.File("resolv.conf"), $"# the club's resolver\nnameserver {Server}\n");
    }

    public void Dispose()
    {
        dnsmasq.Dispose();
        // Deleted here, at once, with its peer: its address is the next test's.
        Shell.TryRun("ip", "link", "del", outside);
        dns.Dispose();
        folder.Dispose();
    }

    private Task<CollectorServer> CollectorAsync() => CollectorServer.StartAsync(new(StringComparer.Ordinal)
    {
        ["Collector:Names:ResolvConf"] = folder.File("resolv.conf"),
        ["Collector:Names:RefreshEvery"] = "1s",
    }, realClock: true);

    private static HostSnapshot Daemon1() =>
        Host("daemon1", Vm("web1", 1, nics: NatNic(WebMac)), Vm("db2", 2, nics: NatNic(DbMac))).WithClubNetworks()
            .WithNeighbour("192.168.122.45", WebMac, NeighbourState.Reachable)
            .WithNeighbour("192.168.122.47", DbMac, NeighbourState.Reachable);

    [Fact]
    public async Task Where_ShowsEachAddressesPtrName_ConfirmedWhenItResolvesBack()
    {
        await using var server = await CollectorAsync();
        await server.ReportAsync(Daemon1());

        var web1 = await Eventually.ValueAsync(
            async () => (await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms[0].Nics[0].Addresses[0],
            a => a.DnsName.Length > 0, "web1's address named", TimeSpan.FromSeconds(30));
        var db2 = await Eventually.ValueAsync(
            async () => (await server.Inventory.WhereAsync(new WhereRequest { Query = "db2" })).Vms[0].Nics[0].Addresses[0],
            a => a.DnsName.Length > 0, "db2's address named", TimeSpan.FromSeconds(30));

        Assert.Equal(("web1.club.example", true), (web1.DnsName, web1.DnsNameConfirmed));
        Assert.Equal(("web1.club.example", false), (db2.DnsName, db2.DnsNameConfirmed));
    }

    [Fact]
    public async Task Where_ADnsName_FindsTheVmHoldingTheAddressItResolvesTo()
    {
        await using var server = await CollectorAsync();
        await server.ReportAsync(Daemon1());

        var reply = await server.Inventory.WhereAsync(new WhereRequest { Query = "web1.club.example" });

        Assert.Equal(["web1"], reply.Vms.Select(v => v.Name), StringComparer.Ordinal);
        Assert.Equal("web1.club.example resolves to 192.168.122.45", reply.Note);
    }

    [Fact]
    public async Task Audit_APtrNamingAnotherVm_IsAFinding()
    {
        await using var server = await CollectorAsync();
        await server.ReportAsync(Daemon1());

        var findings = await Eventually.ValueAsync(
            async () => (await server.Inventory.AuditAsync(new AuditRequest { MinSeverity = Severity.Info })).Findings.Where(f => f.Rule == AuditRules.PtrNamesOtherVm).ToList(),
            f => f.Count > 0, "the PTR finding", TimeSpan.FromSeconds(30));

        var finding = Assert.Single(findings);
        Assert.Equal("192.168.122.47 is named web1.club.example, but db2 on daemon1 holds it, not web1", finding.Summary);
        Assert.Contains(finding.Evidence, e => e.Detail == "PTR 192.168.122.47 → web1.club.example (does not resolve back)");
    }
}
