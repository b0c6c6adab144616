using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Certificates;

/// <summary>The collector's own certificate renewed with one command while it runs.</summary>
public sealed class ServingCertificateTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;

    public async Task InitializeAsync() => cluster = await TlsCollector.StartAsync();

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    /// <summary>The serial number of the certificate the collector shows on a new connection.</summary>
    private async Task<string> ShownSerialAsync()
    {
        var serial = "";
        var options = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), Path.Combine(cluster.Dir, "alice.pem"), Path.Combine(cluster.Dir, "alice-key.pem")).ClientOptions();
        options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            serial = certificate?.GetSerialNumberString() ?? "";
            return certificate is not null;
        };
        using var handler = new SocketsHttpHandler { SslOptions = options };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(cluster.Server.Url) };
        using var _ = await http.GetAsync("/");
        return serial;
    }

    [Fact]
    public async Task Renew_TheCollectorsCertificate_ServesNewConnectionsWithoutARestart()
    {
        var before = await ShownSerialAsync();

        ClusterCertificates.Renew(cluster.Dir, ClusterCertificates.CollectorName, DateTimeOffset.UtcNow);

        var after = await Eventually.ValueAsync(ShownSerialAsync, serial => serial != before, "the renewed certificate served");
        using var renewed = ClusterCertificates.Current(cluster.Dir, ClusterCertificates.CollectorName)!;
        Assert.Equal(renewed.SerialNumber, after);
        Assert.Contains(ClusterCertificates.List(cluster.Dir), c => c.Serial == before && c.RevokedAt is not null);
        using var reader = cluster.Http("alice");
        Assert.True((await reader.GetAsync("/v1/hosts")).IsSuccessStatusCode, "a reader's call over the renewed certificate failed");
    }

    [Fact]
    public void Renew_ACertificateWhoseKeyIsNotHere_IsRefused()
    {
        File.Delete(Path.Combine(cluster.Dir, "daemon1-key.pem"));

        var refused = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Renew(cluster.Dir, "daemon1", DateTimeOffset.UtcNow));

        Assert.Contains("the key of daemon1 is not in", refused.Message, StringComparison.Ordinal);
    }
}
