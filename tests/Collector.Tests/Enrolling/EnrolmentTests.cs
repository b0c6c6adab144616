using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Enrolling;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Enrolling;

/// <summary>Hosts enrolling and renewing over real TLS against a collector whose CA folder issues their certificates.</summary>
public sealed class EnrolmentTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;

    public async Task InitializeAsync() => cluster = await TlsCollector.StartAsync(realClock: true);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private string Token(string hosts = "daemon*", int uses = 1, bool approve = false, DateTimeOffset? now = null, TimeSpan? ttl = null, bool reenrol = false) =>
        EnrolmentTokens.Create(cluster.Dir, hosts, uses, ttl ?? TimeSpan.FromHours(1), approve, TimeSpan.FromDays(30), now ?? DateTimeOffset.UtcNow, reenrol).Token;

    /// <summary>A channel that trusts the cluster CA and shows no certificate: a host before it enrolled.</summary>
    private GrpcChannel Anonymous() => GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { SslOptions = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "").ServerOnlyClientOptions() },
    });

    private static string Request(ECDsa key, string name) => Convert.ToBase64String(new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256).CreateSigningRequest());

    private async Task<EnrolReply> EnrolAsync(string token, string host, ECDsa key)
    {
        using var channel = Anonymous();
        return await new Protos.V1.Enrolment.EnrolmentClient(channel).EnrolAsync(new EnrolRequest { Token = token, HostName = host, CertificateRequest = Request(key, host) });
    }

    /// <summary>A channel that shows the certificate with its key, as an enrolled agent's.</summary>
    private GrpcChannel With(string certificateBase64, ECDsa key)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificateBase64));
        var options = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "").ServerOnlyClientOptions();
        options.ClientCertificates = [certificate.CopyWithPrivateKey(key)];
        return GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = options } });
    }

    private static async Task SendAsync(GrpcChannel channel, HostSnapshot snapshot)
    {
        using var call = new Ingest.IngestClient(channel).Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Enrol_WithAValidToken_IssuesAnAgentCertificateForTheHostsOwnKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var channel = Anonymous();
        var token = Token();

        var authority = await new Protos.V1.Enrolment.EnrolmentClient(channel).AuthorityAsync(new AuthorityRequest());
        var reply = await EnrolAsync(token, "daemon7", key);

        using var issued = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(reply.Certificate));
        using var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(authority.Certificate));
        Assert.Equal(ClusterCertificates.AuthorityFingerprint(cluster.Dir), ClusterTrust.Fingerprint(ca));
        Assert.Equal(("daemon7", ClusterTrust.AgentRole), ClusterTrust.Identity(issued));
        Assert.True(ClusterTrust.IsIssuedBy(issued, ca, out var problem), problem);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), issued.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(File.Exists(Path.Combine(cluster.Dir, "daemon7-key.pem")), "the host's key was written on the collector");
        using var agent = With(reply.Certificate, key);
        await SendAsync(agent, Host("daemon7", Vm("web7", 7)));
    }

    [Fact]
    public async Task Enrol_AskedAgainWithTheSameKey_AnswersTheSameCertificateWithoutSpendingAUse()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Token();

        var first = await EnrolAsync(token, "daemon7", key);
        var again = await EnrolAsync(token, "daemon7", key);

        Assert.Equal(first.Certificate, again.Certificate);
        Assert.Equal(0, Assert.Single(EnrolmentTokens.Read(EnrolmentTokens.PathIn(cluster.Dir))).UsesLeft);
    }

    [Fact]
    public async Task Enrol_WithAReenrolToken_ReplacesAValidCertificate_AndRevokesTheOldOne()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var old = ClusterCertificates.Current(cluster.Dir, "daemon1")!;
        var token = Token(reenrol: true);

        var reply = await EnrolAsync(token, "daemon1", key);

        using var issued = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(reply.Certificate));
        Assert.NotEqual(old.SerialNumber, issued.SerialNumber, StringComparer.Ordinal);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), issued.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Contains(ClusterCertificates.List(cluster.Dir), c => c.Serial == old.SerialNumber && c.RevokedAt is not null);
        Assert.Matches(" issue\\+reenrol ", await File.ReadAllTextAsync(EnrolmentTokens.PathIn(cluster.Dir)));
        using var agent = With(reply.Certificate, key);
        await SendAsync(agent, Host("daemon1", Vm("web1", 1)));
    }

    [Theory]
    [InlineData("used-up", StatusCode.PermissionDenied, "is used up")]
    [InlineData("expired", StatusCode.PermissionDenied, "expired at")]
    [InlineData("revoked", StatusCode.PermissionDenied, "was revoked at")]
    [InlineData("other-name", StatusCode.PermissionDenied, "admits hosts 'daemon*', and 'web7' is not one")]
    [InlineData("has-certificate", StatusCode.AlreadyExists, "daemon1 already has a valid certificate")]
    [InlineData("malformed", StatusCode.Unauthenticated, "the enrolment token is not one")]
    [InlineData("unknown", StatusCode.Unauthenticated, "is not one this collector created")]
    public async Task Enrol_ATokenOrNameThatDoesNotQualify_IsRefusedSayingWhy(string kind, StatusCode status, string expected)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var created = kind == "expired" ? Token(now: DateTimeOffset.UtcNow.AddHours(-2)) : Token();
        var token = kind switch
        {
            "malformed" => "let-me-in",
            "unknown" => Collector.Tokens.AccessToken.New(Collector.Tokens.AccessToken.Enrolment).Token,
            _ => created,
        };
        if (kind == "used-up")
        {
            using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await EnrolAsync(token, "daemon8", first);
        }
        if (kind == "revoked")
        {
            EnrolmentTokens.Revoke(cluster.Dir, Assert.Single(EnrolmentTokens.Read(EnrolmentTokens.PathIn(cluster.Dir))).Id, DateTimeOffset.UtcNow);
        }
        var host = kind switch { "other-name" => "web7", "has-certificate" => "daemon1", _ => "daemon7" };

        var refused = await Assert.ThrowsAsync<RpcException>(() => EnrolAsync(token, host, key));

        Assert.Equal(status, refused.StatusCode);
        Assert.Contains(expected, refused.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cluster.Dir, "daemon7.pem")));
    }

    [Fact]
    public async Task Enrol_WithATokenThatAsksForApproval_WaitsUntilAnAdminApproves()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Token(approve: true);

        var waiting = await EnrolAsync(token, "daemon7", key);
        var listed = PendingRequests.List(cluster.Dir);
        using var approved = PendingRequests.Approve(cluster.Dir, "daemon7", DateTimeOffset.UtcNow);
        var issued = await EnrolAsync(token, "daemon7", key);

        Assert.Equal("", waiting.Certificate);
        Assert.Contains("waits for an admin: 'daemonnet-collector certs approve daemon7'", waiting.Waiting, StringComparison.Ordinal);
        Assert.Equal("daemon7", Assert.Single(listed).Name);
        Assert.Equal(Convert.ToBase64String(approved.RawData), issued.Certificate);
        Assert.Empty(PendingRequests.List(cluster.Dir));
    }

    [Fact]
    public async Task Enrol_DeniedByAnAdmin_IsRefusedWhenTheHostAsksAgain()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Token(approve: true);
        await EnrolAsync(token, "daemon7", key);

        PendingRequests.Deny(cluster.Dir, "daemon7");
        var refused = await Assert.ThrowsAsync<RpcException>(() => EnrolAsync(token, "daemon7", key));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("an admin denied the enrolment of daemon7", refused.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cluster.Dir, "daemon7.pem")));
    }

    [Fact]
    public async Task Renew_ByAnEnrolledAgent_IssuesANewCertificateAndRevokesTheOldOne()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var enrolled = await EnrolAsync(Token(), "daemon7", key);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var old = With(enrolled.Certificate, key);

        var renewed = await new Protos.V1.Enrolment.EnrolmentClient(old).RenewAsync(new RenewRequest { CertificateRequest = Request(newKey, "daemon7") });

        using var renewedCertificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(renewed.Certificate));
        Assert.Equal(newKey.ExportSubjectPublicKeyInfo(), renewedCertificate.PublicKey.ExportSubjectPublicKeyInfo());
        using var withNew = With(renewed.Certificate, newKey);
        await SendAsync(withNew, Host("daemon7", Vm("web7", 7)));
        using var oldAgain = With(enrolled.Certificate, key);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => new Protos.V1.Enrolment.EnrolmentClient(oldAgain)
            .RenewAsync(new RenewRequest { CertificateRequest = Request(key, "daemon7") }).ResponseAsync);
        Assert.True(refused is RpcException { StatusCode: StatusCode.PermissionDenied or StatusCode.Unavailable or StatusCode.Internal } or HttpRequestException,
            $"the replaced certificate renewed again: {refused}");
        Assert.Contains(ClusterCertificates.List(cluster.Dir), c => c.Name == "daemon7" && c.RevokedAt is not null);
    }

    [Fact]
    public async Task Renew_ByAReader_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var reader = cluster.Channel("alice");

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Protos.V1.Enrolment.EnrolmentClient(reader)
            .RenewAsync(new RenewRequest { CertificateRequest = Request(key, "alice") }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("only an agent renews", refused.Status.Detail, StringComparison.Ordinal);
    }
}
