using System.Diagnostics;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Ingestion;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Adversarial;

/// <summary>
/// One abusive agent certificate beside well-behaved agents, over real mutual TLS: the abuser may
/// hold only its own few streams, its heaviest snapshots hold the store for about a second each,
/// and the others keep being acknowledged.
/// </summary>
public class ExhaustionTests
{
    /// <summary>
    /// Far above a well-behaved agent's acknowledgement time beside the abuser (about one largest
    /// write: 4–6 s on the development machine, and CI's machines have been more than twice as
    /// slow), below what the abuse cost before it was bounded (40 s and more per write, and
    /// timeouts).
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AbusiveAgent_CannotOpenMoreThanItsStreams_NorStallTheOthers()
    {
        await using var cluster = await TlsCollector.StartAsync(realClock: true);
        ClusterCertificates.Issue(cluster.Dir, "daemon3", ClusterTrust.AgentRole, [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        using var stop = new CancellationTokenSource();
        var tally = new AbuseTally();
        // As many connections as it likes, so that no HTTP/2 stream limit queues its streams.
        using var abuser = cluster.Channel(cluster.Dir, "daemon1", manyConnections: true);
        var abuse = Enumerable.Range(0, 40).Select(stream => Task.Run(() => AbuseAsync(abuser, stream * 100_000, tally, stop.Token))).ToList();

        // Every stream beyond the abuser's slots is refused, before it can hold a message in the collector.
        await Eventually.HoldsAsync(() => Volatile.Read(ref tally.Ended), count => count >= 40 - StreamSlots.PerCaller, "the abuser's extra streams refused");
        // The abuse is under way: its streams are writing the largest snapshots while the others are timed.
        await Eventually.HoldsAsync(() => Volatile.Read(ref tally.Writes), writes => writes > 0, "the abuser's first largest snapshot written", TimeSpan.FromSeconds(90));
        var latencies = await Task.WhenAll(WellBehavedAsync(cluster.Channel("daemon2"), "daemon2"), WellBehavedAsync(cluster.Channel("daemon3"), "daemon3"));
        await stop.CancelAsync();
        await Task.WhenAll(abuse);
        Console.WriteLine($"beside the abuser ({tally.Writes} largest writes): acknowledgements in {string.Join(", ", latencies.SelectMany(l => l).Select(l => $"{l.TotalMilliseconds:0}"))} ms");

        // Where the refusal is decided: the collector counted refusals against the abuser's certificate.
        var hosts = (await new Inventory.InventoryClient(cluster.Channel("alice")).ListHostsAsync(new ListHostsRequest())).Hosts.ToDictionary(h => h.Status.Name, StringComparer.Ordinal);
        Assert.True(hosts["daemon1"].RejectedMessages > 0, "the collector refused none of the abuser's streams");
        Assert.InRange(tally.MostServed, 1, StreamSlots.PerCaller);
        var worst = latencies.SelectMany(l => l).Max();
        Assert.True(worst < Patience, $"a well-behaved agent waited {worst.TotalMilliseconds:0} ms for an acknowledgement");
        Assert.Equal(0UL, hosts["daemon2"].RejectedMessages + hosts["daemon3"].RejectedMessages);
    }

    /// <summary>What the abuser's streams achieved, counted across them.</summary>
    private sealed class AbuseTally
    {
        public int Ended;
        public int ServedNow;
        public int MostServed;
        public int Writes;
    }

    /// <summary>One of the abuser's streams, opened again and again until the test stops it.</summary>
    private static async Task AbuseAsync(GrpcChannel abuser, int first, AbuseTally tally, CancellationToken stop)
    {
        // The abuser never gives up: a stream refused, or served and then broken (under load,
        // the connection its 40 streams share may be reset), is opened again a second later.
        // Each opens with a heartbeat, which costs nothing to refuse; one that is answered holds
        // a slot and goes on with the largest snapshots.
        for (var generation = first; !stop.IsCancellationRequested; generation += 1_000)
        {
            var served = false;
            try
            {
                using var call = new Ingest.IngestClient(abuser).Sync(cancellationToken: stop);
                await call.RequestStream.WriteAsync(new AgentMessage
                {
                    Sequence = (ulong)generation,
                    Heartbeat = new Heartbeat { HostName = "daemon1", AgentTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) },
                }, stop);
                if (!await call.ResponseStream.MoveNext(stop))
                {
                    return;
                }
                served = true;
                InterlockedMax(ref tally.MostServed, Interlocked.Increment(ref tally.ServedNow));
                for (var sequence = generation + 1; ; sequence++)
                {
                    await call.RequestStream.WriteAsync(new AgentMessage { Sequence = (ulong)sequence, Snapshot = LargestSnapshot.Build("daemon1", sequence, DateTimeOffset.UtcNow) }, stop);
                    if (!await call.ResponseStream.MoveNext(stop))
                    {
                        return;
                    }
                    Interlocked.Increment(ref tally.Writes);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Refused: the client sees the collector's status, a cancelled write or an aborted
                // request, depending on timing and on which of its connections Kestrel reset.
                if (!served)
                {
                    Interlocked.Increment(ref tally.Ended);
                }
            }
            catch (Exception)
            {
                // The test is over.
                return;
            }
            finally
            {
                if (served)
                {
                    Interlocked.Decrement(ref tally.ServedNow);
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
            seen = Volatile.Read(ref target);
        }
    }

    /// <summary>A normal agent: a snapshot, then changed snapshots and heartbeats, timing each acknowledgement.</summary>
    private static async Task<List<TimeSpan>> WellBehavedAsync(GrpcChannel channel, string host)
    {
        using var _ = channel;
        var latencies = new List<TimeSpan>();
        using var call = new Ingest.IngestClient(channel).Sync();
        for (var i = 1; i <= 20; i++)
        {
            var snapshot = Host(host, Vm($"{host}-vm", i, DomainState.Running, NatNic($"52:54:00:bb:00:{i:x2}")));
            var clock = Stopwatch.StartNew();
            await call.RequestStream.WriteAsync(i % 2 == 0
                ? new AgentMessage { Sequence = (ulong)i, Heartbeat = new Heartbeat { HostName = host, ContentHash = ContentHash.Of(snapshot) } }
                : new AgentMessage { Sequence = (ulong)i, Snapshot = snapshot });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), $"the collector ended {host}'s stream");
            latencies.Add(clock.Elapsed);
            await Task.Delay(400);
        }
        await call.RequestStream.CompleteAsync();
        return latencies;
    }
}
