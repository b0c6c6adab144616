using System.Net;
using System.Text.Json;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Integrations;

/// <summary>
/// /v1/sd/prometheus in Prometheus's http_sd format, read by Debian's real prometheus server over
/// mutual TLS with a reader's certificate, as an admin configures it (docs/INTEGRATIONS.md).
/// </summary>
public sealed class PrometheusDiscoveryTests
{
    private const string WebMac = "52:54:00:aa:00:01";
    private const string DbMac = "52:54:00:aa:00:02";

    private static HostSnapshot Daemon1(DomainState db1)
    {
        var web1 = Vm("web1", 1, nics: NatNic(WebMac));
        web1.Owner = "alice";
        web1.Tags.Add(["web", "php"]);
        return Host("daemon1", web1, Vm("db1", 2, db1, NatNic(DbMac))).WithClubNetworks()
            .WithLease("192.168.122.45", WebMac, TimeSpan.FromHours(1))
            .WithLease("192.168.122.46", DbMac, TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Route_ListsRunningVmsAsTargetGroups_WithDaemonNetLabels()
    {
        await using var cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Daemon1(DomainState.Shutoff));
        using var http = cluster.Http("alice");

        using var groups = JsonDocument.Parse(await http.GetStringAsync("/v1/sd/prometheus?port=9117&network=nat-bridge"));

        var group = Assert.Single(groups.RootElement.EnumerateArray());
        Assert.Equal(["192.168.122.45:9117"], group.GetProperty("targets").EnumerateArray().Select(t => t.GetString()), StringComparer.Ordinal);
        var labels = group.GetProperty("labels");
        Assert.Equal(("web1", "daemon1", "nat-bridge", "alice", ",web,php,", "running", "lease"),
            (labels.GetProperty("__meta_daemonnet_vm").GetString(), labels.GetProperty("__meta_daemonnet_host").GetString(),
             labels.GetProperty("__meta_daemonnet_network").GetString(), labels.GetProperty("__meta_daemonnet_owner").GetString(),
             labels.GetProperty("__meta_daemonnet_tags").GetString(), labels.GetProperty("__meta_daemonnet_state").GetString(),
             labels.GetProperty("__meta_daemonnet_address_source").GetString()));
    }

    [Theory]
    [InlineData("daemon1", "/v1/sd/prometheus", HttpStatusCode.Forbidden, "/v1/sd/prometheus needs a reader certificate or token; daemon1 has none")]
    [InlineData("alice", "/v1/sd/prometheus?port=70000", HttpStatusCode.BadRequest, "port '70000' is not a TCP port (1-65535)")]
    [InlineData("alice", "/v1/sd/prometheus?host=daemon9", HttpStatusCode.OK, "[]")]
    [InlineData("alice", "/openapi/v1.json", HttpStatusCode.OK, "/v1/sd/prometheus")]
    public async Task Route_RefusesAgentsAndBadPorts_AndIsInTheOpenApiDocument(string certificate, string path, HttpStatusCode status, string expected)
    {
        await using var cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Daemon1(DomainState.Running));
        using var http = cluster.Http(certificate);

        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode} {body}");
        Assert.Contains(expected, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReads_ServeTheRouteWithoutACertificate()
    {
        await using var cluster = await TlsCollector.StartAsync(openReads: true);
        await cluster.ReportAsync(Daemon1(DomainState.Running));
        using var http = cluster.Http(certificate: null);

        using var groups = JsonDocument.Parse(await http.GetStringAsync("/v1/sd/prometheus"));

        Assert.Equal(2, groups.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task PrometheusServer_DiscoversTheRunningVms_AndDropsOneThatStops()
    {
        await using var cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Daemon1(DomainState.Running));
        using var folder = new TempDirectory();
        var port = LoopbackPort.Free();
        await File.WriteAllTextAsync(folder.File("prometheus.yml"), $"""
            global:
              scrape_interval: 1h
            scrape_configs:
              - job_name: vms
                http_sd_configs:
                  - url: {cluster.Server.Url}/v1/sd/prometheus?port=9100
                    refresh_interval: 1s
                    tls_config:
                      ca_file: {Path.Combine(cluster.Dir, "ca.pem")}
                      cert_file: {Path.Combine(cluster.Dir, "alice.pem")}
                      key_file: {Path.Combine(cluster.Dir, "alice-key.pem")}
            """);
        using var prometheus = RunningProgram.Start("prometheus", [
            $"--config.file={folder.File("prometheus.yml")}", $"--web.listen-address=127.0.0.1:{port}",
            $"--storage.tsdb.path={folder.Folder("data")}", "--log.level=warn"]);
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var both = await Eventually.ValueAsync(() => ActiveTargetsAsync(api), t => t.Count == 2, "prometheus discovering both VMs", TimeSpan.FromSeconds(60));
        await cluster.ReportAsync(Daemon1(DomainState.Shutoff));
        var one = await Eventually.ValueAsync(() => ActiveTargetsAsync(api), t => t.Count == 1, "prometheus dropping the stopped VM", TimeSpan.FromSeconds(60));

        Assert.Equal(["db1 192.168.122.46:9100", "web1 192.168.122.45:9100"], both);
        Assert.Equal(["web1 192.168.122.45:9100"], one);
    }

    private static async Task<List<string>> ActiveTargetsAsync(HttpClient api)
    {
        try
        {
            using var reply = JsonDocument.Parse(await api.GetStringAsync("/api/v1/targets"));
            return reply.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Select(t => t.GetProperty("discoveredLabels"))
                .Select(l => $"{l.GetProperty("__meta_daemonnet_vm").GetString()} {l.GetProperty("__address__").GetString()}")
                .Order(StringComparer.Ordinal).ToList();
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }
}
