using System.Net;
using System.Text.Json;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Http;

/// <summary>
/// The Inventory RPCs as HTTP routes with JSON replies (gRPC JSON transcoding), asked as curl asks:
/// HTTP/1.1 over TLS on the gRPC port, with the reader's certificate, or none when reads are open.
/// </summary>
public class HttpApiTests
{
    private const string Mac1 = "52:54:00:aa:00:01";

    private static Task ReportWeb1Async(TlsCollector cluster) =>
        cluster.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1))).WithClubNetworks().WithLease("192.168.122.45", Mac1, TimeSpan.FromHours(1)));

    [Theory]
    [InlineData("/v1/where/web1", HttpStatusCode.OK, "192.168.122.45")]
    [InlineData("/v1/where/52:54:00:aa:00:01", HttpStatusCode.OK, "\"name\":\"web1\"")]
    [InlineData("/v1/where/nosuchvm", HttpStatusCode.NotFound, "no VM matches 'nosuchvm'")]
    [InlineData("/v1/where/web1?at=yesterday", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/hosts", HttpStatusCode.OK, "\"name\":\"daemon1\"")]
    [InlineData("/v1/vms?host=daemon1", HttpStatusCode.OK, "\"name\":\"web1\"")]
    [InlineData("/v1/history/web1", HttpStatusCode.OK, "HISTORY_KIND_PLACEMENT")]
    [InlineData("/v1/history/nosuchvm", HttpStatusCode.NotFound, "no history for 'nosuchvm'")]
    [InlineData("/v1/history/web1?since=notatime", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/tunnels", HttpStatusCode.OK, "\"hosts\"")]
    [InlineData("/v1/tunnels?host=nosuchhost", HttpStatusCode.NotFound, "no host named nosuchhost")]
    [InlineData("/v1/audit", HttpStatusCode.OK, "collectorTime")]
    [InlineData("/openapi/v1.json", HttpStatusCode.OK, "/v1/where/{query}")]
    public async Task Route_AskedOverHttp11WithTheReadersCertificate_AnswersWithJsonAndTheDocumentedStatus(string path, HttpStatusCode status, string expected)
    {
        await using var cluster = await TlsCollector.StartAsync();
        await ReportWeb1Async(cluster);
        using var http = cluster.Http("alice");

        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode} {body}");
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task Audit_MinSeverity_LeavesOutWhatIsLessSevere()
    {
        await using var cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1))));
        await cluster.ReportAsync(Host("daemon2", Vm("db1", 2, nics: NatNic(Mac1)), Vm("web1", 3)));
        using var http = cluster.Http("alice");

        using var all = JsonDocument.Parse(await http.GetStringAsync("/v1/audit"));
        using var critical = JsonDocument.Parse(await http.GetStringAsync("/v1/audit?minSeverity=SEVERITY_CRITICAL"));

        var severities = all.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("severity").GetString()).ToList();
        Assert.Contains("SEVERITY_WARNING", severities, StringComparer.Ordinal);
        Assert.All(critical.RootElement.GetProperty("findings").EnumerateArray(), f => Assert.Equal("SEVERITY_CRITICAL", f.GetProperty("severity").GetString()));
        Assert.NotEmpty(critical.RootElement.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task Watch_AsAStreamedResponse_StartsWithTheCurrentAnswerThenEachChange()
    {
        await using var cluster = await TlsCollector.StartAsync();
        await ReportWeb1Async(cluster);
        using var http = cluster.Http("alice");

        using var response = await http.GetAsync("/v1/watch/web1", HttpCompletionOption.ResponseHeadersRead);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync());
        var current = await ReadObjectAsync(lines);
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1, DomainState.Paused, NatNic(Mac1))).WithClubNetworks().WithLease("192.168.122.45", Mac1, TimeSpan.FromHours(1)));
        var changed = await ReadObjectAsync(lines);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("WATCH_EVENT_KIND_CURRENT", current.GetProperty("kind").GetString());
        Assert.Equal(("WATCH_EVENT_KIND_VM_CHANGED", "DOMAIN_STATE_PAUSED"), (changed.GetProperty("kind").GetString(), changed.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Watch_OfAVmNotYetDefined_StaysOpenAndReportsItWhenItAppears()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var http = cluster.Http("alice");

        using var response = await http.GetAsync("/v1/watch/web1", HttpCompletionOption.ResponseHeadersRead);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync());
        var current = await ReadObjectAsync(lines);
        await ReportWeb1Async(cluster);
        var appeared = await ReadObjectAsync(lines);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("WATCH_EVENT_KIND_CURRENT", current.GetProperty("kind").GetString());
        Assert.Empty(current.GetProperty("current").GetProperty("vms").EnumerateArray());
        Assert.Equal("web1", appeared.GetProperty("vmName").GetString());
    }

    [Fact]
    public async Task WhereWait_ForAVmDefinedAMomentLater_AnswersOnceItHasAnAddressOfTheFamily()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var http = cluster.Http("alice");

        var waiting = http.GetAsync("/v1/where/web1?wait=1m&family=inet");
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1))).WithClubNetworks());
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var stillWaiting = !waiting.IsCompleted;
        await ReportWeb1Async(cluster);
        using var response = await waiting;
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(stillWaiting, "the wait answered before the VM had an address");
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("192.168.122.45", body);
    }

    [Theory]
    [InlineData("/v1/where/web1?wait=1s&family=inet6", HttpStatusCode.GatewayTimeout, "waited 1s for an IPv6 address of 'web1': web1 on daemon1 is running with 192.168.122.45")]
    [InlineData("/v1/where/later?wait=1s", HttpStatusCode.GatewayTimeout, "waited 1s: no VM matching 'later' was defined on any host")]
    [InlineData("/v1/where/web1?wait=1s", HttpStatusCode.OK, "192.168.122.45")]
    [InlineData("/v1/where/web1?wait=soon", HttpStatusCode.BadRequest, "wait 'soon' is not a duration")]
    [InlineData("/v1/where/web1?wait=2h", HttpStatusCode.BadRequest, "is not a duration up to 1h")]
    [InlineData("/v1/where/web1?wait=1m&family=ipx", HttpStatusCode.BadRequest, "family 'ipx' is neither inet nor inet6")]
    [InlineData("/v1/where/web1?family=inet", HttpStatusCode.BadRequest, "family 'inet' belongs to wait")]
    public async Task WhereWait_OnTimeoutOrBadInput_AnswersTheDocumentedStatusWithWhatWasSeen(string path, HttpStatusCode status, string expected)
    {
        // On the real clock, for the wait's timeout; a neighbour entry, unlike the fixed-time lease, does not expire on it.
        await using var cluster = await TlsCollector.StartAsync(realClock: true);
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1))).WithClubNetworks().WithNeighbour("192.168.122.45", Mac1, NeighbourState.Reachable));
        using var http = cluster.Http("alice");

        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode} {body}");
        Assert.Contains(expected, body);
    }

    [Theory]
    [InlineData("/v1/vms", "vm,uuid,host,state,owner,tags,mac,network,ip,evidence,first_seen,last_confirmed", "web1,")]
    [InlineData("/v1/hosts", "host,last_report,stale,vms,", "daemon1,")]
    [InlineData("/v1/history/web1", "kind,from,to,host,vm,uuid,state,mac,network,ip,evidence", "placement,")]
    [InlineData("/v1/audit", "severity,rule,summary,objects,action", "")]
    [InlineData("/v1/alerts", "id,at,severity,rule,host,summary,objects,repeats,deliveries", "")]
    public async Task Lists_AskedForTextCsv_AnswerTheCliTable(string path, string header, string row)
    {
        await using var cluster = await TlsCollector.StartAsync();
        await ReportWeb1Async(cluster);
        using var http = cluster.Http("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/csv");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = body.Split("\r\n");
        Assert.StartsWith(header, lines[0], StringComparison.Ordinal);
        Assert.Contains(lines.Skip(1), l => l.StartsWith(row, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Csv_ForAQuestionThatFails_KeepsTheJsonErrorAndItsStatus()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var http = cluster.Http("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/history/nosuchvm");
        request.Headers.Accept.ParseAdd("text/csv");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no history for 'nosuchvm'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // The streamed response is a sequence of JSON objects; read one whole object at a time.
    private static async Task<JsonElement> ReadObjectAsync(StreamReader reader)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new System.Text.StringBuilder();
        var depth = 0;
        var buffer = new char[1];
        while (await reader.ReadAsync(buffer.AsMemory(), patience.Token) == 1)
        {
            var c = buffer[0];
            if (depth == 0 && c != '{')
            {
                continue;
            }
            text.Append(c);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0)
            {
                return JsonDocument.Parse(text.ToString()).RootElement.Clone();
            }
        }
        throw new EndOfStreamException($"the stream ended inside: {text}");
    }

    [Fact]
    public async Task OpenReadsOff_AClientWithoutACertificate_IsRefusedAtTheHandshake()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var http = cluster.Http(certificate: null);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("/v1/hosts"));
    }

    [Fact]
    public async Task OpenReadsOn_QuestionsNeedNoCertificateButIngestStillDoes()
    {
        await using var cluster = await TlsCollector.StartAsync(openReads: true);
        await ReportWeb1Async(cluster);
        using var http = cluster.Http(certificate: null);
        var tls = new TlsFiles(Path.Combine(cluster.Dir, "ca.pem"), "", "");
        using var anonymous = GrpcChannel.ForAddress(cluster.Server.Url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = tls.ServerOnlyClientOptions() } });

        using var hosts = await http.GetAsync("/v1/hosts");
        var where = await new Inventory.InventoryClient(anonymous).WhereAsync(new WhereRequest { Query = "web1" });
        using var sync = new Ingest.IngestClient(anonymous).Sync();
        // Refused before any message is read: the answer, not a write that may race it, shows the refusal.
        var refused = await Assert.ThrowsAsync<RpcException>(() => sync.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, hosts.StatusCode);
        Assert.Equal("web1", Assert.Single(where.Vms).Name);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        using var withCertificate = cluster.Http("alice");
        Assert.Equal(HttpStatusCode.OK, (await withCertificate.GetAsync("/v1/hosts")).StatusCode);
    }

    [Fact]
    public async Task Alerts_AReaderListsAndTestsThem_OpenReadsAndAgentsMayNot()
    {
        await using var receiver = new Alerting.WebhookReceiver(LoopbackPort.Free());
        await receiver.StartAsync();
        await using var cluster = await TlsCollector.StartAsync(openReads: true, settings: new(StringComparer.Ordinal)
        {
            ["Collector:Alerts:Sinks:hook:Type"] = "webhook",
            ["Collector:Alerts:Sinks:hook:Url"] = receiver.Url,
        });
        await ReportWeb1Async(cluster);
        await Eventually.HoldsAsync(() => receiver.Accepted.Count, n => n > 0, "the first alert delivered");
        using var reader = cluster.Http("alice");
        using var anonymous = cluster.Http(certificate: null);
        using var agent = cluster.Channel("daemon1");

        using var listed = await reader.GetAsync("/v1/alerts?limit=10");
        using var tested = await reader.PostAsync("/v1/alerts/test/hook", null);
        using var unknownSink = await reader.PostAsync("/v1/alerts/test/pager", null);
        using var refused = await anonymous.GetAsync("/v1/alerts");
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await new Alerts.AlertsClient(agent).ListAlertsAsync(new ListAlertsRequest()));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var alerts = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(alerts.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("rule").GetString() == "mac-first-seen");
        Assert.Equal("hook", alerts.GetProperty("sinks")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        Assert.Contains("DELIVERY_STATE_DELIVERED", await tested.Content.ReadAsStringAsync());
        Assert.Contains(receiver.Accepted, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("rule").GetString() == "test");
        Assert.Equal(HttpStatusCode.NotFound, unknownSink.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
