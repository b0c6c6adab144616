using System.Net;
using System.Net.Http.Headers;
using DaemonNet.Collector.Tokens;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Certificates;

/// <summary>Bearer tokens from <see cref="TokenList"/> on a collector over real TLS, asked without a client certificate.</summary>
public sealed class BearerTokenTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1)));
        // A collector that has issued a token lets connections without a certificate in, to judge each call.
        Issue("bob", TimeSpan.FromDays(90));
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private string Issue(string name, TimeSpan lifetime, DateTimeOffset? issuedAt = null) =>
        TokenList.Issue(cluster.Dir, name, ClusterTrust.ReaderRole, lifetime, issuedAt ?? DateTimeOffset.UtcNow).Token;

    private GrpcChannel Channel(string token)
    {
        var trustOnly = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "").ServerOnlyClientOptions();
        return GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = trustOnly },
            Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })),
        });
    }

    private HttpClient Http(string token)
    {
        var http = cluster.Http(certificate: null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task CallWithNeitherCertificateNorToken_IsRefusedSayingWhatItNeeds_ButThePageLoads()
    {
        var trustOnly = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "").ServerOnlyClientOptions();
        using var channel = GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = trustOnly } });
        using var http = cluster.Http(certificate: null);

        var question = await Assert.ThrowsAsync<RpcException>(() => new Inventory.InventoryClient(channel).ListHostsAsync(new ListHostsRequest()).ResponseAsync);
        using var sync = new Ingest.IngestClient(channel).Sync();
        var ingest = await Assert.ThrowsAsync<RpcException>(() => sync.ResponseStream.MoveNext(CancellationToken.None));
        using var hosts = await http.GetAsync("/v1/hosts");
        using var page = await http.GetAsync("/");

        Assert.Equal((StatusCode.Unauthenticated, "daemonnet.v1.Inventory needs a certificate of the cluster or a reader's bearer token"), (question.StatusCode, question.Status.Detail));
        Assert.Equal((StatusCode.Unauthenticated, "daemonnet.v1.Ingest needs an agent certificate of the cluster"), (ingest.StatusCode, ingest.Status.Detail));
        Assert.Equal(HttpStatusCode.Unauthorized, hosts.StatusCode);
        Assert.Contains("needs a certificate of the cluster or a reader's bearer token", await hosts.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The page itself holds no answers: it loads, so that a member can sign in with a token.
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task FirstTokenIssued_LetsConnectionsWithoutACertificateIn_WithoutARestart()
    {
        await using var untouched = await TlsCollector.StartAsync();
        using var before = untouched.Http(certificate: null);
        var closed = await Assert.ThrowsAsync<HttpRequestException>(() => before.GetAsync("/"));

        var token = TokenList.Issue(untouched.Dir, "alice", ClusterTrust.ReaderRole, TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Token;

        var answered = await Eventually.ValueAsync(async () =>
        {
            using var http = untouched.Http(certificate: null);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                using var hosts = await http.GetAsync("/v1/hosts");
                return hosts.StatusCode;
            }
            catch (HttpRequestException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, status => status != HttpStatusCode.ServiceUnavailable, "the token's connection let in");
        Assert.NotNull(closed);
        Assert.Equal(HttpStatusCode.OK, answered);
    }

    [Fact]
    public async Task ReaderToken_IsAnsweredOverGrpcAndHttpAndMetrics()
    {
        var token = Issue("alice", TimeSpan.FromDays(90));
        using var channel = Channel(token);
        using var http = Http(token);

        var where = await new Inventory.InventoryClient(channel).WhereAsync(new WhereRequest { Query = "web1" });
        using var hosts = await http.GetAsync("/v1/hosts");
        using var alerts = await http.GetAsync("/v1/alerts");
        using var metrics = await http.GetAsync("/metrics");

        Assert.Equal("web1", Assert.Single(where.Vms).Name);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (hosts.StatusCode, alerts.StatusCode, metrics.StatusCode));
        Assert.Contains("\"name\":\"daemon1\"", await hosts.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReaderToken_MayNotWriteAHostsSnapshots()
    {
        using var channel = Channel(Issue("alice", TimeSpan.FromDays(90)));
        using var sync = new Ingest.IngestClient(channel).Sync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => sync.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("the token of alice has the role 'reader', which may not call daemonnet.v1.Ingest; that needs a agent certificate", refused.Status.Detail);
    }

    [Fact]
    public async Task RevokedToken_IsRefusedFromTheNextRequestWithoutARestart()
    {
        var token = Issue("alice", TimeSpan.FromDays(90));
        using var http = Http(token);
        using var before = await http.GetAsync("/v1/hosts");

        TokenList.Revoke(cluster.Dir, "alice", DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var refused = await Eventually.ValueAsync(async () =>
        {
            using var response = await http.GetAsync("/v1/hosts");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode == HttpStatusCode.Unauthorized, "the revoked token refused");
        Assert.Contains($"the token {AccessToken.IdOf(token, AccessToken.Bearer)} of alice was revoked at", refused.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired", "expired at")]
    [InlineData("unknown", "is not one this collector issued")]
    [InlineData("malformed", "is not a DaemonNet token")]
    public async Task TokenNotValid_IsRefusedSayingWhy(string kind, string expected)
    {
        var token = kind switch
        {
            "expired" => Issue("alice", TimeSpan.FromDays(1), cluster.Server.Clock.GetUtcNow().AddDays(-2)),
            "unknown" => AccessToken.New(AccessToken.Bearer).Token,
            _ => "alice-s-password",
        };
        using var channel = Channel(token);
        using var http = Http(token);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Inventory.InventoryClient(channel).ListHostsAsync(new ListHostsRequest()).ResponseAsync);
        using var metrics = await http.GetAsync("/metrics");

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains(expected, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Contains(expected, await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
