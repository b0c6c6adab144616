using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Operations;

/// <summary>/metrics scraped as Prometheus scrapes it, checked by Debian's promtool, and its access rules.</summary>
public class MetricsTests
{
    private const string Mac1 = "52:54:00:aa:00:01";

    private static HostSnapshot Daemon1()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic(Mac1)))
            .WithTunnel("he-ipv6", "203.0.113.10", "216.66.80.26").WithCounters("he-ipv6", 5_000_000, 700_000)
            .WithLease("192.168.122.5", Mac1, TimeSpan.FromHours(1));
        var network = new Network { Name = "nat-bridge", Uuid = "uuid-nat", Bridge = "virbr0", ForwardMode = "nat", Active = true };
        network.Addresses.Add(new NetworkAddress { Cidr = "192.168.122.1/24", DhcpRanges = { new DhcpRange { Start = "192.168.122.2", End = "192.168.122.11" } } });
        snapshot.Networks.Add(network);
        return snapshot;
    }

    /// <summary>promtool check metrics on the scrape: exit 0 and nothing said means it follows Prometheus's conventions.</summary>
    private static (int ExitCode, string Output) Promtool(string scrape)
    {
        using var process = Process.Start(new ProcessStartInfo("promtool", "check metrics")
        {
            UseShellExecute = false,
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        process.StandardInput.Write(scrape);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task Scrape_OfTheMetricsPort_PassesPromtoolAndCountsWhatHappened()
    {
        var port = LoopbackPort.Free();
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal)
        {
            ["Collector:MetricsListen"] = $"127.0.0.1:{port}",
            ["Collector:Tunnels:daemon1/he-ipv6:Limit"] = "100Mbit",
        });
        await server.ReportAsync(Daemon1());
        await server.ReportAsync(Host("daemon2"));
        await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" });
        server.Clock.Advance(TimeSpan.FromSeconds(40));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var scrape = await http.GetStringAsync("/metrics");
        using var question = await http.GetAsync("/v1/hosts");

        var (exitCode, output) = Promtool(scrape);
        Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics: {output}");
        Assert.Contains("daemonnet_ingest_messages_total{kind=\"snapshot\"} 2", scrape);
        Assert.Contains("daemonnet_query_duration_seconds_count{verb=\"where\"} 1", scrape);
        Assert.Contains("daemonnet_snapshot_apply_seconds_count 2", scrape);
        Assert.Contains("daemonnet_host_last_report_age_seconds{host=\"daemon1\"} 40", scrape);
        Assert.Contains("daemonnet_host_stale{host=\"daemon1\"} 1", scrape);
        Assert.Contains("daemonnet_tunnel_receive_bytes_total{host=\"daemon1\",tunnel=\"he-ipv6\"} 5000000", scrape);
        Assert.Contains("daemonnet_tunnel_transmit_bytes_total{host=\"daemon1\",tunnel=\"he-ipv6\"} 700000", scrape);
        Assert.Contains("daemonnet_tunnel_limit_bytes_per_second{host=\"daemon1\",tunnel=\"he-ipv6\"} 12500000", scrape);
        Assert.Contains("daemonnet_dhcp_pool_addresses{host=\"daemon1\",network=\"nat-bridge\",range=\"192.168.122.2-192.168.122.11\"} 10", scrape);
        Assert.Contains("daemonnet_dhcp_pool_leased_addresses{host=\"daemon1\",network=\"nat-bridge\",range=\"192.168.122.2-192.168.122.11\"} 1", scrape);
        Assert.Contains("daemonnet_alerts_raised_total{rule=\"mac-first-seen\"} 1", scrape);
        Assert.Matches(@"daemonnet_database_size_bytes [1-9]\d*", scrape);
        Assert.Contains("process_cpu_seconds_total", scrape);
        // The metrics port has no TLS: it answers nothing but /metrics.
        Assert.Equal(HttpStatusCode.NotFound, question.StatusCode);
    }

    [Fact]
    public async Task GrafanaDashboard_QueriesAreValidPromQl_OverMetricsTheCollectorExports()
    {
        var port = LoopbackPort.Free();
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:MetricsListen"] = $"127.0.0.1:{port}" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var exported = Regex.Matches(await http.GetStringAsync("/metrics"), @"^# TYPE (?<name>\S+) ", RegexOptions.Multiline | RegexOptions.ExplicitCapture).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Programs.RepositoryRoot, "deploy", "grafana-dashboard.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        using var folder = new TempDirectory();
        // promtool parses PromQL in a rules file: one recording rule per query.
        await File.WriteAllTextAsync(folder.File("dashboard.rules.yml"), "groups:\n  - name: dashboard\n    rules:\n"
            + string.Concat(queries.Select((q, i) => $"      - record: dashboard:query{i}\n        expr: '{q.Replace("'", "''", StringComparison.Ordinal)}'\n")));

        var check = Shell.TryRun("promtool", "check", "rules", folder.File("dashboard.rules.yml"));

        Assert.True(check.ExitCode == 0, $"promtool check rules:\n{check.Output}\n{check.Error}");
        Assert.NotEmpty(queries);
        var named = queries.SelectMany(q => Regex.Matches(q, @"daemonnet_[a-z_]+").Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""))).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(named.Except(exported, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Scrape_OfTheMainPort_NeedsAReaderCertificate()
    {
        await using var cluster = await TlsCollector.StartAsync();
        HttpClient Http(string name) => new(new SocketsHttpHandler
        {
            SslOptions = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), Path.Combine(cluster.Dir, $"{name}.pem"), Path.Combine(cluster.Dir, $"{name}-key.pem")).ClientOptions(),
        }) { BaseAddress = new Uri(cluster.Server.Url) };
        using var reader = Http("alice");
        using var agent = Http("daemon1");

        using var allowed = await reader.GetAsync("/metrics");
        using var refused = await agent.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("daemonnet_agent_streams 0", await allowed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("/metrics needs a reader certificate", await refused.Content.ReadAsStringAsync());
    }
}
