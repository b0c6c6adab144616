using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;

namespace DaemonNet.Collector.Tests.Certificates;

/// <summary>
/// A collector over real mutual TLS on loopback, with a cluster CA and certificates made by
/// <see cref="ClusterCertificates"/>: agents daemon1 and daemon2, reader alice.
/// </summary>
internal sealed class TlsCollector : IAsyncDisposable
{
    private readonly TempDirectory folder;

    private TlsCollector(TempDirectory folder, CollectorServer server)
    {
        this.folder = folder;
        Server = server;
    }

    public CollectorServer Server { get; }

    public string Dir => Path.Combine(folder.Path, "tls");

    /// <param name="openReads">Serve questions to clients without a certificate too (--open-reads).</param>
    /// <param name="settings">More collector settings, such as tunnel limits.</param>
    /// <param name="address">The address to listen on, which the collector's certificate then names too; loopback when null.</param>
    public static async Task<TlsCollector> StartAsync(bool realClock = false, bool openReads = false, Dictionary<string, string?>? settings = null, string? address = null)
    {
        var folder = new TempDirectory();
        var dir = folder.Folder("tls");
        var now = DateTimeOffset.UtcNow;
        ClusterCertificates.Init(dir, address is null ? [] : [address], TimeSpan.FromDays(30), now);
        ClusterCertificates.Issue(dir, "daemon1", ClusterTrust.AgentRole, [], TimeSpan.FromDays(30), now);
        ClusterCertificates.Issue(dir, "daemon2", ClusterTrust.AgentRole, [], TimeSpan.FromDays(30), now);
        ClusterCertificates.Issue(dir, "alice", ClusterTrust.ReaderRole, [], TimeSpan.FromDays(30), now);
        var server = await CollectorServer.StartAsync(new(settings ?? [], StringComparer.Ordinal)
        {
            ["Collector:Insecure"] = "false",
            ["Collector:CaFile"] = Path.Combine(dir, "ca.pem"),
            ["Collector:CertFile"] = Path.Combine(dir, "collector.pem"),
            ["Collector:KeyFile"] = Path.Combine(dir, "collector-key.pem"),
            ["Collector:OpenReads"] = openReads ? "true" : "false",
            ["Collector:Listen"] = $"{address ?? "127.0.0.1"}:0",
        }, realClock);
        return new TlsCollector(folder, server);
    }

    /// <summary>A channel that presents NAME.pem; a new one opens a new TLS connection.</summary>
    public GrpcChannel Channel(string name) => Channel(Dir, name);

    public GrpcChannel Channel(string directory, string name, bool manyConnections = false)
    {
        var tls = new TlsFiles(Path.Combine(Dir, "ca.pem"), Path.Combine(directory, $"{name}.pem"), Path.Combine(directory, $"{name}-key.pem"));
        return GrpcChannel.ForAddress(Server.Url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = tls.ClientOptions(), EnableMultipleHttp2Connections = manyConnections },
        });
    }

    public string Folder(string name) => folder.Folder(name);

    /// <summary>An HTTP/1.1 client, as curl asks, presenting NAME.pem, or no certificate when <paramref name="certificate"/> is null.</summary>
    public HttpClient Http(string? certificate)
    {
        var tls = new TlsFiles(Path.Combine(Dir, "ca.pem"),
            certificate is null ? "" : Path.Combine(Dir, $"{certificate}.pem"), certificate is null ? "" : Path.Combine(Dir, $"{certificate}-key.pem"));
        var options = certificate is null ? tls.ServerOnlyClientOptions() : tls.ClientOptions();
        return new HttpClient(new SocketsHttpHandler { SslOptions = options }) { BaseAddress = new Uri(Server.Url), DefaultRequestVersion = System.Net.HttpVersion.Version11 };
    }

    /// <summary>Sends one snapshot as the host's agent would, with its certificate, and waits for the acknowledgement.</summary>
    public async Task ReportAsync(HostSnapshot snapshot)
    {
        using var channel = Channel(snapshot.Host.Name);
        using var call = new Ingest.IngestClient(channel).Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
        await call.ResponseStream.MoveNext(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        folder.Dispose();
    }
}
