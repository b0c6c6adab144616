using System.Threading.Channels;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Keeps the collector in step with this host (Consul's anti-entropy, level-triggered): a full
/// snapshot when the stream opens, when the content changes and when the collector asks; a
/// heartbeat with the content hash otherwise. A broken stream is reopened after a backoff.
/// </summary>
public sealed class SyncLoop(
    HostSnapshotBuilder builder,
    Ingest.IngestClient client,
    ChangeSignal changes,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<SyncLoop> log)
{
    /// <summary>After a change event, how long to let its burst settle (a VM start touches links, addresses and neighbours).</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);

    private readonly Backoff backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), Random.Shared);
    private readonly OutageJournal journal = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            try
            {
                await RunSessionAsync(cancellationToken);
                continue;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e.StatusCode switch
                {
                    StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.FailedPrecondition
                        => $"collector {options.Value.Collector} rejected this agent: {e.Status.Detail}",
                    _ => $"collector {options.Value.Collector} unreachable: {RpcFailureText.Reason(e)}",
                };
            }
            catch (Exception e) when (e is IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                failure = $"collector {options.Value.Collector} unreachable: {e.Message}";
            }
            var delay = backoff.Next();
            log.LogWarning("{Failure}; retrying in {Delay}", failure, DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds))));
            await ObserveAsync(delay, cancellationToken);
        }
    }

    /// <summary>
    /// While the collector is unreachable the agent keeps looking at its host, every interval and
    /// on every change, and keeps what it saw for the next connection.
    /// </summary>
    private async Task ObserveAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + period;
        while (true)
        {
            var snapshot = await builder.BuildAsync(cancellationToken);
            journal.Record(snapshot, ContentHash.Of(snapshot));
            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var next = Task.Delay(left < options.Value.IntervalDuration ? left : options.Value.IntervalDuration, time, wait.Token);
            var changed = changes.WaitAsync(wait.Token);
            await Task.WhenAny(next, changed);
            await wait.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Sends, oldest first, what was observed while the collector was unreachable; returns the last content hash sent.</summary>
    private async Task<string?> ReplayAsync(IClientStreamWriter<AgentMessage> requests, Func<ulong> nextSequence, CancellationToken cancellationToken)
    {
        var dropped = journal.Dropped;
        var replay = journal.Drain();
        string? sentHash = null;
        for (var i = 0; i < replay.Count; i++)
        {
            var entry = replay[i];
            var observedAt = Timestamp.FromDateTimeOffset(entry.ObservedAt);
            var message = new AgentMessage { Sequence = nextSequence(), Replayed = true, SentAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
            if (entry.Snapshot is { } snapshot)
            {
                message.Snapshot = snapshot.Clone();
                message.Snapshot.AgentTime = observedAt;
            }
            else
            {
                message.Heartbeat = new Heartbeat { HostName = options.Value.EffectiveHostName, ContentHash = entry.Hash, AgentTime = observedAt };
            }
            try
            {
                await requests.WriteAsync(message, cancellationToken);
            }
            catch
            {
                journal.Restore(replay.Skip(i));
                throw;
            }
            sentHash = entry.Hash;
        }
        if (replay.Count > 0)
        {
            log.LogInformation("Sent {Count} observations made while the collector was unreachable ({Dropped} older ones did not fit the journal)",
                replay.Count, dropped);
        }
        return sentHash;
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.Sync(cancellationToken: session.Token);
        var snapshotRequests = Channel.CreateUnbounded<string>();
        var responses = ReadResponsesAsync(call.ResponseStream, snapshotRequests.Writer, session.Token);
        try
        {
            ulong sequence = 0;
            var sentHash = await ReplayAsync(call.RequestStream, () => ++sequence, session.Token);
            while (true)
            {
                var snapshot = await builder.BuildAsync(session.Token);
                var hash = ContentHash.Of(snapshot);
                var message = new AgentMessage { Sequence = ++sequence, SentAt = snapshot.AgentTime };
                if (hash != sentHash)
                {
                    message.Snapshot = snapshot;
                    sentHash = hash;
                }
                else
                {
                    message.Heartbeat = new Heartbeat { HostName = snapshot.Host.Name, ContentHash = hash, AgentTime = snapshot.AgentTime, Counters = snapshot.Counters };
                }
                await call.RequestStream.WriteAsync(message, session.Token);
                if (await WaitForNextRoundAsync(snapshotRequests.Reader, session.Token))
                {
                    sentHash = null;
                }
            }
        }
        finally
        {
            await session.CancelAsync();
            await responses.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Waits one interval, or less when the host signals a change; returns true when the
    /// collector asked for a full snapshot meanwhile.
    /// </summary>
    private async Task<bool> WaitForNextRoundAsync(ChannelReader<string> snapshotRequests, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var interval = Task.Delay(options.Value.IntervalDuration, time, wait.Token);
        var request = snapshotRequests.WaitToReadAsync(wait.Token).AsTask();
        var changed = changes.WaitAsync(wait.Token);
        var first = await Task.WhenAny(interval, request, changed);
        await wait.CancelAsync();
        if (first == changed)
        {
            await Task.Delay(Coalesce, time, cancellationToken);
        }
        if (first == request)
        {
            // Throws the stream's failure when the reader ended with one.
            if (!await request)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the collector closed the stream"));
            }
            var asked = false;
            while (snapshotRequests.TryRead(out var reason))
            {
                log.LogInformation("Collector asked for a full snapshot: {Reason}", reason);
                asked = true;
            }
            return asked;
        }
        return false;
    }

    private async Task ReadResponsesAsync(IAsyncStreamReader<CollectorMessage> responses, ChannelWriter<string> snapshotRequests, CancellationToken cancellationToken)
    {
        var connected = false;
        try
        {
            await foreach (var response in responses.ReadAllAsync(cancellationToken))
            {
                if (response.BodyCase == CollectorMessage.BodyOneofCase.SnapshotRequest)
                {
                    snapshotRequests.TryWrite(response.SnapshotRequest.Reason);
                }
                else if (response.BodyCase == CollectorMessage.BodyOneofCase.Ack && !connected)
                {
                    connected = true;
                    backoff.Reset();
                    var offset = response.CollectorTime.ToDateTimeOffset() - time.GetUtcNow();
                    log.LogInformation("Connected to collector {Collector} as host {Host} (collector clock {Offset:+0.000;-0.000} s from ours)",
                        options.Value.Collector, options.Value.EffectiveHostName, offset.TotalSeconds);
                }
            }
            snapshotRequests.TryComplete();
        }
        catch (Exception e)
        {
            snapshotRequests.TryComplete(e);
        }
    }
}
