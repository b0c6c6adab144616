using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>A collector whose PostgreSQL server goes away: it stops with a clear line, and starts again once the server is back.</summary>
[Collection(HeavyTests.Name)]
public sealed class DatabaseLossTests : IDisposable
{
    private readonly PostgresServer server = PostgresServer.StartPrivate();

    public void Dispose() => server.Dispose();

    private static AgentMessage Snapshot(ulong sequence, string vm) => new()
    {
        Sequence = sequence,
        Snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = "daemon1", AgentVersion = "test" },
            AgentTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            Domains = { new Domain { Name = vm, Uuid = "5f0c8a52-0001-4a5e-9c1e-000000000001", State = DomainState.Running } },
        },
    };

    private static RunningProgram StartCollector(int port, string database) =>
        RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", database, "--insecure"]);

    [Fact]
    public async Task ServerStopped_CollectorExitsSayingSo_AndServesAgainOnceItIsBack()
    {
        var database = server.CreateDatabase();
        var port = LoopbackPort.Free();
        using var collector = StartCollector(port, database);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        using (var call = new Ingest.IngestClient(channel).Sync())
        {
            await call.RequestStream.WriteAsync(Snapshot(1, "web1"));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(1UL, call.ResponseStream.Current.Ack.Sequence);

            server.Stop();
            await call.RequestStream.WriteAsync(Snapshot(2, "web2"));
            var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.True(refused.StatusCode == StatusCode.Unavailable, refused.ToString());
        }

        Assert.Equal(3, await collector.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Lost the connection to the PostgreSQL database", collector.Output);
        server.Start();
        using var again = StartCollector(port, database);
        await again.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        var answer = await new Inventory.InventoryClient(channel).WhereAsync(new WhereRequest { Query = "web1" });
        Assert.Equal("daemon1", Assert.Single(answer.Vms).Host.Name);
    }

    [Fact]
    public async Task ServerRestartedWhileIdle_NoBackgroundLoopStopsTheCollector_ItsWriterLossDoes()
    {
        // Found by the soak (seed 3 on PostgreSQL): the staleness monitor reads every second, and
        // its failure stopped the collector through the host's BackgroundService policy, with exit
        // code 0 and a stack trace, instead of the writer's loss with code 3 and a sentence.
        var database = server.CreateDatabase();
        var port = LoopbackPort.Free();
        using var collector = StartCollector(port, database);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));

        server.Stop();
        // The staleness monitor usually notices first; a write the collector was making at the
        // moment may instead find the writer's connection gone, and then the collector stops at once.
        await Eventually.HoldsAsync(() => collector.Output,
            o => o.Contains("Failed to work out which hosts are stale", StringComparison.Ordinal)
                || o.Contains("Lost the connection to the PostgreSQL database", StringComparison.Ordinal),
            "the collector noticing the server gone", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2));
        server.Start();
        // The writer's first write finds its connection gone: this snapshot's, or the health
        // check's probe, which the gRPC health service runs five seconds after the start and then
        // every thirty. Either way the collector stops, and only then.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        using (var call = new Ingest.IngestClient(channel).Sync())
        {
            await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await call.RequestStream.WriteAsync(Snapshot(1, "web1"));
                await call.ResponseStream.MoveNext(CancellationToken.None);
            });
        }

        Assert.Equal(3, await collector.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Lost the connection to the PostgreSQL database", collector.Output);
        Assert.DoesNotContain("BackgroundService failed", collector.Output);
    }
}
