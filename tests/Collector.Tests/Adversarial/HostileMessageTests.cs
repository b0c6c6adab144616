using DaemonNet.Protos.V1;
using Dapper;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Adversarial;

/// <summary>
/// Messages an attacker with a valid agent certificate (or a buggy agent) could send: each is
/// refused with a sentence naming the field, and nothing stored can make a later answer fail.
/// </summary>
public class HostileMessageTests
{
    private static async Task<CollectorMessage> SendAsync(CollectorServer server, AgentMessage message)
    {
        using var call = server.Ingest.Sync();
        await call.RequestStream.WriteAsync(message);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the collector ended the stream");
        return call.ResponseStream.Current;
    }

    /// <summary>Every question an admin asks, so that a test can check none of them fails.</summary>
    private static async Task AskEverythingAsync(CollectorServer server)
    {
        await server.Inventory.ListHostsAsync(new ListHostsRequest());
        await server.Inventory.ListVmsAsync(new ListVmsRequest());
        await server.Inventory.AuditAsync(new AuditRequest());
        await server.Inventory.TunnelsAsync(new TunnelsRequest());
        await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" });
        await server.Inventory.HistoryAsync(new HistoryRequest { Query = "web1" });
    }

    [Fact]
    public async Task Issue10_LargestDurationAsInterval_IsRefusedAndEveryQueryStillAnswers()
    {
        await using var server = await CollectorServer.StartAsync();
        var snapshot = Host("daemon1", Vm("web1", 1));
        snapshot.Interval = new Duration { Seconds = Duration.MaxSeconds, Nanos = 999_999_999 };

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = snapshot }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("message 1 refused: snapshot.interval (315576000000 s, 999999999 ns) is not a duration from 100ms to 1d", error.Status.Detail);
        await AskEverythingAsync(server);
        Assert.Equal(1UL, (await SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = Host("daemon1", Vm("web1", 1)) })).Ack.Sequence);
    }

    [Theory]
    [InlineData("interval_ms", long.MaxValue)]
    [InlineData("agent_time", long.MaxValue)]
    [InlineData("agent_time", long.MinValue)]
    [InlineData("last_report", long.MaxValue)]
    public async Task StoredValueOutOfEveryRange_NeverMakesAnAnswerFail(string column, long value)
    {
        await using var server = await CollectorServer.StartAsync();
        await SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = Host("daemon1", Vm("web1", 1)).WithLease("10.0.0.5", "52:54:00:aa:00:01", TimeSpan.FromHours(1)) });
        // What an older collector, or a hand edit, may have left in the file.
        using (var connection = new SqliteConnection($"Data Source={server.DatabasePath}"))
        {
            await connection.ExecuteAsync($"UPDATE hosts SET {column} = @Value", new { Value = value });
            await connection.ExecuteAsync("UPDATE bindings SET lease_expiry = @Value", new { Value = long.MaxValue });
        }

        await AskEverythingAsync(server);
        var reply = await SendAsync(server, new AgentMessage { Sequence = 2, Snapshot = Host("daemon1", Vm("web1", 1)) });

        Assert.Equal(CollectorMessage.BodyOneofCase.Ack, reply.BodyCase);
    }

    public static TheoryData<string, Func<Inventory.InventoryClient, Task>> HostileQueries() => new()
    {
        { "request refused: at (-62135596800 s, 0 ns since 1970) is not a time", c => c.WhereAsync(new WhereRequest { Query = "web1", At = new Timestamp { Seconds = -62135596800 } }).ResponseAsync },
        { "request refused: at (0 s, 1000000000 ns since 1970) is not a time", c => c.WhereAsync(new WhereRequest { Query = "web1", At = new Timestamp { Nanos = 1_000_000_000 } }).ResponseAsync },
        { "request refused: until (253402300800 s, 0 ns since 1970) is not a time", c => c.HistoryAsync(new HistoryRequest { Query = "web1", Until = new Timestamp { Seconds = 253402300800 } }).ResponseAsync },
        { "request refused: since (-1 s, 0 ns since 1970) is not a time", c => c.TunnelsAsync(new TunnelsRequest { Since = new Timestamp { Seconds = -1 } }).ResponseAsync },
        { "request refused: query is 257 characters long", c => c.WhereAsync(new WhereRequest { Query = new string('a', 257) }).ResponseAsync },
        { "request refused: host 'daemon1\n' is not a host name".Replace("\n", "?"), c => c.ListVmsAsync(new ListVmsRequest { Host = "daemon1\n" }).ResponseAsync },
        { "request refused: netreg: 100001 entries", c => c.AuditAsync(new AuditRequest { Netreg = { Enumerable.Repeat(new NetRegEntry { Mac = "52:54:00:00:00:01" }, 100_001) } }).ResponseAsync },
    };

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task QueryOutOfRange_IsInvalidArgumentNamingTheField(string expected, Func<Inventory.InventoryClient, Task> ask)
    {
        await using var server = await CollectorServer.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => ask(server.Inventory));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(expected, error.Status.Detail);
    }

    [Fact]
    public async Task CountersNamingOneLinkTwice_AreRefusedBeforeAnythingIsStored()
    {
        await using var server = await CollectorServer.StartAsync();
        var snapshot = Host("daemon1", Vm("web1", 1));
        snapshot.Counters = new CounterSample { BootId = "b", Links = { new LinkCounters { Link = "br0", Ifindex = 3 }, new LinkCounters { Link = "br0", Ifindex = 3 } } };

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = snapshot }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);
    }

    [Fact]
    public async Task TwoDomainsWithOneUuid_AreRefusedAndNoTwinAppears()
    {
        await using var server = await CollectorServer.StartAsync();
        var twins = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")), Vm("ghost", 1, DomainState.Shutoff));

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = twins }));

        Assert.Contains("domains[1].uuid", error.Status.Detail);
        Assert.Empty((await server.Inventory.ListVmsAsync(new ListVmsRequest())).Vms);
    }

    [Fact]
    public async Task HugeKernelString_IsRefusedAndHostsStillAnswers()
    {
        await using var server = await CollectorServer.StartAsync();
        await SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = Host("daemon2") });
        var snapshot = Host("daemon1");
        snapshot.Host.Kernel = new string('k', 5 * 1024 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(server, new AgentMessage { Sequence = 1, Snapshot = snapshot }));

        Assert.Equal("message 1 refused: snapshot.host.kernel is 5242880 characters long, more than the 256 allowed", error.Status.Detail);
        Assert.Equal(["daemon2"], (await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts.Select(h => h.Status.Name), StringComparer.Ordinal);
    }
}
