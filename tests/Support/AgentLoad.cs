using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaemonNet.Tests.Support;

/// <summary>
/// Many simulated agents in one process, each with its own gRPC stream to one collector: a full
/// snapshot of its VMs, then a heartbeat every interval and, now and then, a changed snapshot,
/// sent without waiting for the acknowledgements before, as the real agent does.
/// Counts what was acknowledged and every failure, for the load test and the load benchmark.
/// </summary>
/// <param name="burst">All agents open their streams and send their full snapshots at the same instant, as after a collector restart with no jitter at all.</param>
public sealed class AgentLoad(string collectorUrl, int agents, int vmsPerAgent, TimeSpan interval, double changeProbability, bool burst = false)
{
    private readonly System.Collections.Concurrent.ConcurrentBag<TimeSpan> firstAcks = [];
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    private long acknowledged;
    private long heartbeats;
    private long snapshots;
    private long failures;
    private long snapshotRequests;
    private string firstFailure = "";

    public long Acknowledged => Interlocked.Read(ref acknowledged);

    public long Heartbeats => Interlocked.Read(ref heartbeats);

    public long Snapshots => Interlocked.Read(ref snapshots);

    public long Failures => Interlocked.Read(ref failures);

    /// <summary>Heartbeats the collector answered with "send a full snapshot" (after a stall longer than the silence limit).</summary>
    public long SnapshotRequests => Interlocked.Read(ref snapshotRequests);

    public string FirstFailure => firstFailure;

    /// <summary>How long the run took, from its start until its last agent stopped: a stream that does not end when asked shows here.</summary>
    public TimeSpan Ended { get; private set; }

    /// <summary>When each agent's first snapshot was acknowledged, from the start of the run.</summary>
    public IReadOnlyCollection<TimeSpan> FirstAcknowledgements => firstAcks;

    /// <summary>Runs every agent until <paramref name="duration"/> has passed; agents start spread over one interval.</summary>
    public async Task RunAsync(TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        using var channel = GrpcChannel.ForAddress(collectorUrl, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        using var stop = new CancellationTokenSource(duration);
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, agents).Select(a => RunAgentAsync(channel, a, stop.Token)));
        Ended = clock.Elapsed;
    }

    /// <summary>How long an agent that stopped sending waits for the replies to what it sent.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// One agent, sending as the real one does: a message every interval whether or not the ones
    /// before were acknowledged, with the replies read as they come. When the run ends it stops
    /// sending and waits for the replies to what it sent (up to <see cref="DrainLimit"/>).
    /// </summary>
    private async Task RunAgentAsync(GrpcChannel channel, int agent, CancellationToken stop)
    {
        var random = new Random(agent);
        var host = $"load{agent:D4}";
        using var ended = new CancellationTokenSource();
        try
        {
            await Task.Delay(burst ? TimeSpan.Zero : TimeSpan.FromMilliseconds(random.NextDouble() * interval.TotalMilliseconds), stop);
            using var call = new Ingest.IngestClient(channel).Sync(cancellationToken: ended.Token);
            var requested = new SnapshotRequested();
            var replies = ReadRepliesAsync(call.ResponseStream, host, requested, stop, ended.Token);
            await SendAsync(call.RequestStream, host, agent, random, requested, stop);
            await call.RequestStream.CompleteAsync();
            ended.CancelAfter(DrainLimit);
            await replies;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            Fail($"{host}: {e.Message}");
        }
    }

    private async Task SendAsync(IClientStreamWriter<AgentMessage> requests, string host, int agent, Random random, SnapshotRequested requested, CancellationToken stop)
    {
        var generation = 0;
        var snapshot = Snapshot(host, agent, generation);
        var hash = ContentHash.Of(snapshot);
        for (ulong sequence = 1; !stop.IsCancellationRequested; sequence++)
        {
            var message = new AgentMessage { Sequence = sequence };
            if (requested.Take())
            {
                message.Snapshot = snapshot;
                Interlocked.Increment(ref snapshots);
            }
            else if (sequence == 1 || random.NextDouble() < changeProbability)
            {
                snapshot = Snapshot(host, agent, sequence == 1 ? 0 : ++generation);
                hash = ContentHash.Of(snapshot);
                message.Snapshot = snapshot;
                Interlocked.Increment(ref snapshots);
            }
            else
            {
                message.Heartbeat = new Heartbeat { HostName = host, ContentHash = hash, AgentTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
                Interlocked.Increment(ref heartbeats);
            }
            await requests.WriteAsync(message, stop);
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadRepliesAsync(IAsyncStreamReader<CollectorMessage> replies, string host, SnapshotRequested requested, CancellationToken stop, CancellationToken ended)
    {
        try
        {
            while (await replies.MoveNext(ended))
            {
                var reply = replies.Current;
                if (reply.Ack is { } ack)
                {
                    Interlocked.Increment(ref acknowledged);
                    if (ack.Sequence == 1)
                    {
                        firstAcks.Add(clock.Elapsed);
                    }
                }
                else if (reply.SnapshotRequest is not null)
                {
                    Interlocked.Increment(ref snapshotRequests);
                    requested.Set();
                }
                else
                {
                    Fail($"{host}: answered with {reply}");
                }
            }
            if (!stop.IsCancellationRequested)
            {
                Fail($"{host}: the collector ended the stream");
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ended.IsCancellationRequested)
        {
            // What was still unanswered after the drain limit stays uncounted.
        }
    }

    /// <summary>A collector's request for a full snapshot, taken by the agent's next message.</summary>
    private sealed class SnapshotRequested
    {
        private int requested;

        public void Set() => Volatile.Write(ref requested, 1);

        public bool Take() => Interlocked.Exchange(ref requested, 0) == 1;
    }

    private void Fail(string what)
    {
        if (Interlocked.Increment(ref failures) == 1)
        {
            firstFailure = what;
        }
    }

    /// <summary>A host's snapshot; each generation restarts one VM on a new tap device.</summary>
    private HostSnapshot Snapshot(string host, int agent, int generation)
    {
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = host, AgentVersion = "load" },
            AgentTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Interval = Duration.FromTimeSpan(interval),
        };
        for (var vm = 0; vm < vmsPerAgent; vm++)
        {
            var number = agent * vmsPerAgent + vm;
            var mac = $"52:54:{number >> 24 & 255:x2}:{number >> 16 & 255:x2}:{number >> 8 & 255:x2}:{number & 255:x2}";
            var domain = new Domain { Name = $"{host}-vm{vm}", Uuid = $"5f0c8a52-{agent:x4}-4a5e-9c1e-{vm:x12}", State = DomainState.Running };
            domain.Nics.Add(new Nic { Mac = mac, Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0", TargetDev = $"vnet{vm}-{(vm == generation % vmsPerAgent ? generation : 0)}" });
            snapshot.Domains.Add(domain);
            snapshot.Neighbours.Add(new Neighbour { Ip = $"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}", Mac = mac, Device = "virbr0", State = NeighbourState.Reachable });
        }
        return snapshot;
    }

    /// <summary>Resident memory of a process, from /proc, in MiB.</summary>
    public static double ResidentMiB(int processId) => StatusMiB(processId, "VmRSS:");

    /// <summary>The resident memory that is not a file's pages: the heap and the stacks, without the mapped database or code.</summary>
    public static double AnonymousMiB(int processId) => StatusMiB(processId, "RssAnon:");

    private static double StatusMiB(int processId, string field) =>
        File.ReadLines($"/proc/{processId}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024)
            .Single();
}
