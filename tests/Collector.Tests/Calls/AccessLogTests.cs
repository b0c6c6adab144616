using System.Net;
using System.Net.Http.Headers;
using DaemonNet.Collector.Enrolling;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Collector.Tokens;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Calls;

/// <summary>The record of who asked: kept in the store, read with 'daemonnet-collector access-log', refusals counted in the metrics.</summary>
public sealed class AccessLogTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await TlsCollector.StartAsync(realClock: true);
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1)));
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private (int ExitCode, string Output, string Error) AccessLog(params string[] arguments) =>
        Shell.TryRun("dotnet", [Programs.Collector, "access-log", "--db", cluster.Server.DatabasePath, .. arguments]);

    [Fact]
    public async Task Questions_AreRecordedWithCallerStatusAndAnswers_AndReadBackByWho()
    {
        var token = TokenList.Issue(cluster.Dir, "scripts", ClusterTrust.ReaderRole, TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Token;
        var enrolment = EnrolmentTokens.Create(cluster.Dir, "daemon*", 1, TimeSpan.FromHours(1), approve: false, TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Token;
        using var alice = cluster.Channel("alice");
        using var anonymous = cluster.Http(certificate: null);
        using var script = cluster.Http(certificate: null);
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var trustOnly = GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "").ServerOnlyClientOptions() },
        });

        await new Inventory.InventoryClient(alice).WhereAsync(new WhereRequest { Query = "web1" });
        using var refused = await anonymous.GetAsync("/v1/hosts");
        using var asked = await script.GetAsync("/v1/vms");
        await Assert.ThrowsAnyAsync<Exception>(() => new Protos.V1.Enrolment.EnrolmentClient(trustOnly)
            .EnrolAsync(new EnrolRequest { Token = enrolment, HostName = "daemon9", CertificateRequest = "bm90IGEgcmVxdWVzdA==" }).ResponseAsync);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (refused.StatusCode, asked.StatusCode));
        var all = await Eventually.HoldsAsync(() => AccessLog(), r => r.Output.Contains("Enrolment/Enrol", StringComparison.Ordinal), "the questions stored");
        var byAlice = AccessLog("--who", "alice");
        Assert.Equal(0, all.ExitCode);
        Assert.Matches(@"reader alice \(certificate\) +daemonnet\.v1\.Inventory/Where +1 .* OK +\{ ""query"": ""web1""", all.Output);
        Assert.Matches(@"no credential +daemonnet\.v1\.Inventory/ListHosts +0 .* Unauthenticated", all.Output);
        Assert.Matches($@"reader scripts \(token {AccessToken.IdOf(token, AccessToken.Bearer)}\) +daemonnet\.v1\.Inventory/ListVms +1 .* OK", all.Output);
        Assert.Contains("InvalidArgument", all.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dne_", all.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEgcmVxdWVzdA", all.Output, StringComparison.Ordinal);
        Assert.Contains("alice", byAlice.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ListHosts", byAlice.Output, StringComparison.Ordinal);
        using var reader = cluster.Http("alice");
        var metrics = await reader.GetStringAsync("/metrics");
        Assert.Contains("daemonnet_calls_refused_total{service=\"daemonnet.v1.Inventory\",reason=\"no_credential\"} 1", metrics, StringComparison.Ordinal);
    }
}
