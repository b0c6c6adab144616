using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Certificates;

/// <summary>The collector over real mutual TLS on loopback, with certificates from <see cref="ClusterCertificates"/>.</summary>
public class MutualTlsTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;
    private string rogue = "";

    private string Dir => cluster.Dir;

    public async Task InitializeAsync()
    {
        cluster = await TlsCollector.StartAsync();
        rogue = cluster.Folder("rogue");
        ClusterCertificates.Init(rogue, [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        ClusterCertificates.Issue(rogue, "daemon1", "agent", [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private GrpcChannel Channel(string name, string? directory = null) => cluster.Channel(directory ?? Dir, name);

    private static async Task<CollectorMessage> SendAsync(GrpcChannel channel, HostSnapshot snapshot)
    {
        using var call = new Ingest.IngestClient(channel).Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task Ingest_AgentForItsOwnHost_IsAcknowledged()
    {
        using var channel = Channel("daemon1");

        var reply = await SendAsync(channel, Host("daemon1", Vm("web1", 1)));

        Assert.Equal(1UL, reply.Ack.Sequence);
        Assert.StartsWith("https://", cluster.Server.Url);
    }

    [Fact]
    public async Task Ingest_AgentSpeakingForAnotherHost_IsRefusedNamingBoth()
    {
        using var channel = Channel("daemon1");

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(channel, Host("daemon2", Vm("web1", 1))));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("the certificate is for host daemon1; a message for host daemon2 was refused", error.Status.Detail);
    }

    [Fact]
    public async Task Ingest_ReaderCertificate_IsRefused()
    {
        using var channel = Channel("alice");

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(channel, Host("alice")));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("the certificate of alice has the role 'reader', which may not call daemonnet.v1.Ingest; that needs a agent certificate", error.Status.Detail);
    }

    [Fact]
    public async Task Query_ReaderCertificate_IsAnswered()
    {
        using (var agent = Channel("daemon1"))
        {
            await SendAsync(agent, Host("daemon1", Vm("web1", 1)));
        }
        using var channel = Channel("alice");

        var reply = await new Inventory.InventoryClient(channel).WhereAsync(new WhereRequest { Query = "web1" });

        Assert.Equal("daemon1", Assert.Single(reply.Vms).Host.Name);
    }

    // With TLS 1.3 the server judges the client's certificate after the client thinks the
    // handshake is done, so the client sees the refusal as Unavailable, Internal ("did not
    // complete the HTTP/2 handshake") or a dropped connection, depending on timing. The handshake
    // tests therefore check where the refusal is decided: nothing got through.
    [Fact]
    public async Task Connect_WithoutAClientCertificate_IsRefusedAtTheHandshake()
    {
        var trustOnly = new TlsFiles(Path.Combine(Dir, "ca.pem"), Path.Combine(Dir, "alice.pem"), Path.Combine(Dir, "alice-key.pem")).ClientOptions();
        trustOnly.ClientCertificates = [];
        using var channel = GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = trustOnly } });

        await Assert.ThrowsAnyAsync<Exception>(() => new Inventory.InventoryClient(channel).ListHostsAsync(new ListHostsRequest()).ResponseAsync);

        Assert.Empty((await new Inventory.InventoryClient(Channel("alice")).ListHostsAsync(new ListHostsRequest())).Hosts);
    }

    [Fact]
    public async Task Connect_CertificateFromAnotherCa_IsRefusedAtTheHandshake()
    {
        using var channel = Channel("daemon1", rogue);

        await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(channel, Host("daemon1", Vm("web1", 1))));

        Assert.Empty((await new Inventory.InventoryClient(Channel("alice")).WhereAsync(new WhereRequest { Query = "web1" })).Vms);
    }

    [Fact]
    public async Task Connect_PlaintextToATlsCollector_Fails()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Server.Url.Replace("https://", "http://"));

        // The client expects HTTP/2 frames and gets TLS bytes: HttpClient fails before gRPC sees a
        // status, and whether the message names HTTP/2 or only the dropped connection depends on timing.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(channel, Host("daemon1", Vm("web1", 1))));

        Assert.True(error is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal } or HttpRequestException or HttpIOException, error.ToString());
        Assert.Empty((await new Inventory.InventoryClient(Channel("alice")).WhereAsync(new WhereRequest { Query = "web1" })).Vms);
    }
}
