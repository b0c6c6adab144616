using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Dns;

/// <summary>The zone's AAAA records, listed from a stand-in for Cloudflare, checked by the audit against the VMs' addresses.</summary>
public class CloudflareAuditTests
{
    private const string Web1Mac = "52:54:00:aa:00:01";
    private const string Web2Mac = "52:54:00:aa:00:02";
    private const string Db1Mac = "52:54:00:aa:00:03";

    private static HostSnapshot Daemon1() =>
        Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic(Web1Mac)), Vm("web2", 2, DomainState.Running, NatNic(Web2Mac)), Vm("db1", 3, DomainState.Running, NatNic(Db1Mac)))
            .WithNeighbour("2001:db8:1::45", Web1Mac, NeighbourState.Reachable)
            .WithNeighbour("2001:db8:1::46", Web2Mac, NeighbourState.Reachable)
            .WithNeighbour("2001:db8:1::78", Db1Mac, NeighbourState.Reachable);

    private static Dictionary<string, string?> Settings(CloudflareStandIn standIn, TempDirectory folder, string token = CloudflareStandIn.Token, string zone = CloudflareStandIn.Zone)
    {
        File.WriteAllText(folder.File("cloudflare.token"), token + "\n");
        return new(StringComparer.Ordinal)
        {
            ["Collector:Cloudflare:ZoneId"] = zone,
            ["Collector:Cloudflare:TokenFile"] = folder.File("cloudflare.token"),
            ["Collector:Cloudflare:ApiUrl"] = standIn.ApiUrl,
            ["Collector:Cloudflare:CaFile"] = standIn.CaFile,
        };
    }

    private static async Task<List<Finding>> DnsFindingsAsync(CollectorServer server, string rule) =>
        await Eventually.ValueAsync(async () => (await server.Inventory.AuditAsync(new AuditRequest { MinSeverity = Severity.Info })).Findings
            .Where(f => f.Rule.StartsWith("dns-", StringComparison.Ordinal)).ToList(), f => f.Any(x => x.Rule == rule), $"a {rule} finding");

    [Fact]
    public async Task Records_AcrossPages_AreDanglingStaleOrFine_AgainstWhatTheVmsHold()
    {
        using var folder = new TempDirectory();
        await using var standIn = await CloudflareStandIn.StartAsync(folder.Path);
        standIn.Records.AddRange(
        [
            ("web1.club.example", "AAAA", "2001:db8:1::45"),
            ("web2.club.example", "AAAA", "2001:db8:1::45"),
            ("old.club.example", "AAAA", "2001:db8:1::99"),
            ("db1.club.example", "AAAA", "2001:db8:1:0:0:0:0:77"),
            ("www.club.example", "AAAA", "2001:db8:1::45"),
            ("web1.club.example", "A", "192.0.2.45"),
        ]);
        await using var server = await CollectorServer.StartAsync(Settings(standIn, folder));
        await server.ReportAsync(Daemon1());

        var findings = await DnsFindingsAsync(server, "dns-stale");

        var summaries = findings.Select(f => (f.Rule, f.Severity, f.Summary)).Order().ToList();
        Assert.Equal(
        [
            ("dns-dangling", Severity.Warning, "db1.club.example points at 2001:db8:1::77, which no running VM holds"),
            ("dns-dangling", Severity.Warning, "old.club.example points at 2001:db8:1::99, which no running VM holds"),
            ("dns-dangling", Severity.Critical, "web2.club.example points at 2001:db8:1::45, which web1 on daemon1 holds now, not web2"),
            ("dns-stale", Severity.Warning, "db1.club.example points at 2001:db8:1::77, but db1 has 2001:db8:1::78 now"),
            ("dns-stale", Severity.Warning, "web2.club.example points at 2001:db8:1::45, but web2 has 2001:db8:1::46 now"),
        ], summaries);
        var critical = findings.Single(f => f.Severity == Severity.Critical);
        Assert.Equal(["cloudflare", "neighbour reachable"], critical.Evidence.Select(e => e.Source), StringComparer.Ordinal);
        Assert.Equal(3, standIn.Requests);
    }

    [Fact]
    public async Task RateLimited_TheListingWaitsAsRetryAfterSays_AndSucceeds()
    {
        using var folder = new TempDirectory();
        await using var standIn = await CloudflareStandIn.StartAsync(folder.Path);
        standIn.Records.Add(("old.club.example", "AAAA", "2001:db8:1::99"));
        standIn.RateLimit(1);
        await using var server = await CollectorServer.StartAsync(Settings(standIn, folder), realClock: true);

        var findings = await DnsFindingsAsync(server, "dns-dangling");

        Assert.DoesNotContain(findings, f => f.Rule == "dns-check-failed");
        Assert.Equal(2, standIn.Requests);
    }

    [Theory]
    [InlineData("not-the-token", CloudflareStandIn.Zone, "Cloudflare refused the API token in")]
    [InlineData(CloudflareStandIn.Token, "ffffffffffffffffffffffffffffffff", "Cloudflare does not know zone ffffffffffffffffffffffffffffffff (7003: Could not route")]
    public async Task ARefusal_IsAFindingThatSaysWhatToFix(string token, string zone, string expected)
    {
        using var folder = new TempDirectory();
        await using var standIn = await CloudflareStandIn.StartAsync(folder.Path);
        await using var server = await CollectorServer.StartAsync(Settings(standIn, folder, token, zone));

        var failed = Assert.Single(await DnsFindingsAsync(server, "dns-check-failed"));

        Assert.Equal(Severity.Warning, failed.Severity);
        Assert.Contains(expected, failed.Summary);
    }
}
