using System.Collections.Concurrent;
using Dapper;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// The collector killed with SIGKILL in the middle of heavy ingest, again and again: the database
/// stays intact and every snapshot that was acknowledged is in it, because an acknowledgement is
/// sent only after its transaction committed.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CrashSafetyTests : IDisposable
{
    private const int Kills = 6;
    private const int Agents = 4;
    private readonly TempDirectory folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    [Fact]
    public async Task Collector_KilledDuringIngest_KeepsEveryAcknowledgedSnapshotAndAnIntactDatabase()
    {
        var database = folder.File("collector.db");
        var acknowledged = new ConcurrentBag<string>();
        var random = new Random(11);
        for (var round = 0; round < Kills; round++)
        {
            var port = LoopbackPort.Free();
            using var collector = RunningProgram.Start(Programs.Collector, ["--listen", $"127.0.0.1:{port}", "--db", database, "--insecure"]);
            await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
            using var stop = new CancellationTokenSource();
            var agents = Enumerable.Range(1, Agents).Select(a => SendUntilCutOffAsync($"http://127.0.0.1:{port}", $"daemon{a}", round, acknowledged, stop.Token)).ToList();

            // Kill in the thick of it: once this round's writes are flowing, at a random moment.
            var before = acknowledged.Count;
            await Eventually.HoldsAsync(() => acknowledged.Count, count => count > before, $"the first acknowledgement of round {round} (collector said: {collector.Output})", TimeSpan.FromSeconds(20));
            await Task.Delay(random.Next(100, 600));
            collector.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(agents);
        }

        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        var stored = (await connection.QueryAsync<string>("SELECT name FROM domains")).ToHashSet(StringComparer.Ordinal);
        Assert.True(acknowledged.Count > Kills * Agents, $"the load should have been heavy; only {acknowledged.Count} snapshots were acknowledged");
        var lost = acknowledged.Where(name => !stored.Contains(name)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged snapshots are missing, e.g. {lost.FirstOrDefault()}");
    }

    /// <summary>One agent sending a different snapshot per message, as fast as acknowledgements come, until the collector dies.</summary>
    internal static async Task SendUntilCutOffAsync(string url, string host, int round, ConcurrentBag<string> acknowledged, CancellationToken stop)
    {
        using var channel = GrpcChannel.ForAddress(url);
        try
        {
            using var call = new Ingest.IngestClient(channel).Sync(cancellationToken: stop);
            for (ulong sequence = 1; !stop.IsCancellationRequested; sequence++)
            {
                var marker = $"{host}-r{round}-s{sequence}";
                var snapshot = new HostSnapshot
                {
                    Host = new HostIdentity { Name = host, AgentVersion = "test" },
                    AgentTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                    Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
                };
                for (var vm = 0; vm < 50; vm++)
                {
                    var domain = new Domain { Name = vm == 0 ? marker : $"{host}-vm{vm}", Uuid = $"5f0c8a52-0000-4a5e-9c1e-{(int)sequence % 1000:D4}{vm:D8}", State = DomainState.Running };
                    domain.Nics.Add(new Nic { Mac = $"52:54:00:{host.Length:x2}:{vm:x2}:{(int)sequence % 256:x2}", Kind = NicKind.Network, Network = "nat-bridge" });
                    snapshot.Domains.Add(domain);
                }
                await call.RequestStream.WriteAsync(new AgentMessage { Sequence = sequence, Snapshot = snapshot }, stop);
                if (!await call.ResponseStream.MoveNext(stop) || call.ResponseStream.Current.Ack?.Sequence != sequence)
                {
                    return;
                }
                acknowledged.Add(marker);
            }
        }
        catch (Exception e) when (e is RpcException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // The collector died under us: what was acknowledged before is what the test checks.
        }
    }
}
