using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Ingestion;

/// <summary>The ingest stream over real gRPC into a real collector and SQLite file.</summary>
public class IngestServiceTests
{
    private static async Task<CollectorMessage> SendAsync(AsyncDuplexStreamingCall<AgentMessage, CollectorMessage> call, AgentMessage message)
    {
        await call.RequestStream.WriteAsync(message);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the collector ended the stream");
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task Sync_Snapshot_IsAcknowledgedWithTheCollectorsClockAndThenQueryable()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();

        var reply = await SendAsync(call, new AgentMessage { Sequence = 7, Snapshot = Host("daemon1", Vm("web1", 1)) });

        Assert.Equal(7UL, reply.Ack.Sequence);
        Assert.Equal(server.Clock.GetUtcNow(), reply.CollectorTime.ToDateTimeOffset());
        var vm = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        Assert.Equal("daemon1", vm.Host.Name);
    }

    [Fact]
    public async Task Sync_HeartbeatForTheStoredContent_IsAcknowledgedAndKeepsTheHostFresh()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        var snapshot = Host("daemon1", Vm("web1", 1));
        await SendAsync(call, new AgentMessage { Sequence = 1, Snapshot = snapshot });
        server.Clock.Advance(TimeSpan.FromSeconds(25));

        var reply = await SendAsync(call, new AgentMessage { Sequence = 2, Heartbeat = new Heartbeat { HostName = "daemon1", ContentHash = ContentHash.Of(snapshot) } });
        server.Clock.Advance(TimeSpan.FromSeconds(25));

        Assert.Equal(2UL, reply.Ack.Sequence);
        var host = Assert.Single((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);
        Assert.False(host.Status.Stale);
    }

    [Fact]
    public async Task Sync_HeartbeatForContentTheCollectorLacks_AsksForAFullSnapshot()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();

        var reply = await SendAsync(call, new AgentMessage { Sequence = 1, Heartbeat = new Heartbeat { HostName = "daemon1", ContentHash = "abc" } });

        Assert.Equal(CollectorMessage.BodyOneofCase.SnapshotRequest, reply.BodyCase);
        Assert.Contains("does not hold the content", reply.SnapshotRequest.Reason);
    }

    [Fact]
    public async Task Sync_InvalidSnapshot_IsRefusedWithTheReasonAndLeavesTheStoreAsItWas()
    {
        await using var server = await CollectorServer.StartAsync();
        using (var first = server.Ingest.Sync())
        {
            await SendAsync(first, new AgentMessage { Sequence = 1, Snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01"))) });
        }
        using var call = server.Ingest.Sync();

        var bad = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("not-a-mac")));
        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new AgentMessage { Sequence = 2, Snapshot = bad }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("message 2 refused: snapshot.domains[0].nics[0].mac 'not-a-mac' is not a MAC address in the form 52:54:00:ab:cd:ef", error.Status.Detail);
        var vm = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        Assert.Equal("52:54:00:aa:00:01", vm.Nics[0].Nic.Mac);
        Assert.Equal(1UL, Assert.Single((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts).RejectedMessages);
    }

    [Fact]
    public async Task Sync_MessageForASecondHostOnOneStream_IsRefusedWithPermissionDenied()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        await SendAsync(call, new AgentMessage { Sequence = 1, Snapshot = Host("daemon1") });

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new AgentMessage { Sequence = 2, Snapshot = Host("daemon2", Vm("web1", 1)) }));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("this stream speaks for host daemon1; a message for host daemon2 was refused", error.Status.Detail);
        Assert.Empty((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
    }

    [Fact]
    public async Task Sync_AgentClockADayOff_IsRefusedSayingHowFar()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        var sentAt = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddDays(-2));

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new AgentMessage { Sequence = 1, SentAt = sentAt, Snapshot = Host("daemon1") }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("the agent's clock is 48 hours off the collector's", error.Status.Detail);
    }

    [Fact]
    public async Task Sync_AgentClockAnHourOff_IsAcceptedAndTheSkewKept()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        var snapshot = Host("daemon1");
        snapshot.AgentTime = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddHours(-1));

        await SendAsync(call, new AgentMessage { Sequence = 1, SentAt = snapshot.AgentTime, Snapshot = snapshot });

        var host = Assert.Single((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);
        Assert.Equal(TimeSpan.FromHours(-1), host.AgentTime.ToDateTimeOffset() - host.Status.LastReport.ToDateTimeOffset());
    }

    [Fact]
    public async Task Sync_ReplayedObservation_IsFiledAtItsTimeOnTheCollectorsClock()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        var agentNow = server.Clock.GetUtcNow().AddMinutes(-10);
        var first = Host("daemon1", Vm("web1", 1));
        first.AgentTime = Timestamp.FromDateTimeOffset(agentNow.AddSeconds(-10));
        await SendAsync(call, new AgentMessage { Sequence = 1, SentAt = Timestamp.FromDateTimeOffset(agentNow), Snapshot = first });
        var replayed = Host("daemon1", Vm("web1", 1, DomainState.Shutoff));
        replayed.AgentTime = Timestamp.FromDateTimeOffset(agentNow.AddSeconds(-5));

        await SendAsync(call, new AgentMessage { Sequence = 2, SentAt = Timestamp.FromDateTimeOffset(agentNow), Replayed = true, Snapshot = replayed });

        var vm = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        Assert.Equal(DomainState.Shutoff, vm.State);
        Assert.Equal(server.Clock.GetUtcNow(), vm.Since.ToDateTimeOffset());
    }

    [Fact]
    public async Task Sync_MessageOverTheSizeLimit_IsRefusedWithoutTouchingTheStore()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();
        var huge = Host("daemon1", Vm("web1", 1));
        huge.Errors.Add(new SourceError { Source = "libvirt", Message = new string('x', Protos.Validation.WireLimits.MaxMessageBytes) });

        // The server aborts the stream while the client is still writing 8 MB; depending on the
        // moment, grpc-dotnet's client reports the server's status, a cancelled write, or fails inside its writer.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(call, new AgentMessage { Sequence = 1, Snapshot = huge }));

        Assert.True(error is not RpcException rpc || rpc.StatusCode is StatusCode.ResourceExhausted or StatusCode.Cancelled, error.ToString());
        Assert.Empty((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);
    }

    [Fact]
    public async Task Sync_EmptyMessage_IsRefusedWithInvalidArgument()
    {
        await using var server = await CollectorServer.StartAsync();
        using var call = server.Ingest.Sync();

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(call, new AgentMessage { Sequence = 3 }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("message 3 refused: the message carries neither a snapshot nor a heartbeat", error.Status.Detail);
    }
}
