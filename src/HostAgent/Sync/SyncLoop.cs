using System.Collections.Concurrent;
using System.Threading.Channels;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Keeps the collector in step with this host (Consul's anti-entropy, level-triggered): a full
/// snapshot when the stream opens, when the content changes and when the collector asks; a
/// heartbeat with the content hash otherwise. A broken stream is reopened after a backoff, to the
/// next collector of the list when there are several (<see cref="CollectorClients"/>). What is
/// sent is decided by <see cref="SyncSession"/>, when by <see cref="SyncRounds"/>; this class does
/// the I/O.
/// </summary>
public sealed class SyncLoop(
    HostSnapshotBuilder builder,
    CollectorClients collectors,
    ChangeSignal changes,
    Readiness readiness,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<SyncLoop> log)
{
    private readonly Backoff backoff = Backoff.ForInterval(options.Value.IntervalDuration, Random.Shared);
    private readonly OutageJournal journal = new();
    private readonly SyncRounds rounds = new(changes, time, options.Value.IntervalDuration);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            var collector = collectors.Url;
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
                        => $"collector {collector} rejected this agent: {e.Status.Detail}",
                    _ => $"collector {collector} unreachable: {RpcFailureText.Reason(e)}",
                };
            }
            catch (Exception e) when (e is IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                failure = $"collector {collector} unreachable: {e.Message}";
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Nothing may stop the agent: whatever broke this session, the next one starts afresh.
                failure = $"the stream to collector {collector} failed: {e.GetType().Name}: {e.Message}";
            }
            collectors.Failed();
            var delay = backoff.Next();
            log.LogWarning("{Failure}; {Next} in {Delay}", failure, collectors.Count > 1 ? $"trying collector {collectors.Url}" : "retrying",
                DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds))));
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
            var snapshot = await BuildAsync(cancellationToken);
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

    private async Task<HostSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var snapshot = await builder.BuildAsync(cancellationToken);
        readiness.Built(snapshot);
        return snapshot;
    }

    /// <summary>Sends, oldest first, what was observed while the collector was unreachable.</summary>
    private async Task ReplayAsync(SyncSession session, IClientStreamWriter<AgentMessage> requests, InFlight inFlight, CancellationToken cancellationToken)
    {
        var dropped = journal.Dropped;
        var replay = journal.Drain();
        for (var i = 0; i < replay.Count; i++)
        {
            try
            {
                var message = session.Replay(replay[i], time.GetUtcNow());
                inFlight.Sending(message, replay[i]);
                await requests.WriteAsync(message, cancellationToken);
            }
            catch
            {
                // Those not yet sent; the sent ones return with the unacknowledged when the session ends.
                journal.Restore(replay.Skip(i + 1));
                throw;
            }
        }
        if (replay.Count > 0)
        {
            log.LogInformation("Sent {Count} observations made while the collector was unreachable ({Dropped} older ones did not fit the journal)",
                replay.Count, dropped);
        }
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = collectors.Client.Sync(cancellationToken: stream.Token);
        var snapshotRequests = Channel.CreateUnbounded<string>();
        var inFlight = new InFlight(log);
        var responses = ReadResponsesAsync(call.ResponseStream, snapshotRequests.Writer, collectors.Url, inFlight, stream.Token);
        try
        {
            var session = new SyncSession(options.Value.EffectiveHostName);
            await ReplayAsync(session, call.RequestStream, inFlight, stream.Token);
            while (true)
            {
                var snapshot = await BuildAsync(stream.Token);
                var message = session.Observe(snapshot);
                // Kept as the journal keeps an observation (the session's hash is now this one's), should it need sending again.
                inFlight.Sending(message, new OutageJournal.Entry(snapshot.AgentTime.ToDateTimeOffset(), session.SentHash!, message.Snapshot));
                await call.RequestStream.WriteAsync(message, stream.Token);
                var round = await rounds.NextAsync(snapshotRequests.Reader, stream.Token);
                if (round.Cause == RoundCause.SnapshotRequested)
                {
                    log.LogInformation("Collector asked for a full snapshot: {Reasons}", string.Join("; ", round.Reasons));
                    session.ResyncRequested();
                }
            }
        }
        finally
        {
            await stream.CancelAsync();
            await responses.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // The collector may not have stored what it did not acknowledge: it goes again, as observed then.
            journal.Restore(inFlight.Unacknowledged());
        }
    }

    private async Task ReadResponsesAsync(IAsyncStreamReader<CollectorMessage> responses, ChannelWriter<string> snapshotRequests, string collector,
        InFlight inFlight, CancellationToken cancellationToken)
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
                else if (response.BodyCase == CollectorMessage.BodyOneofCase.Ack)
                {
                    inFlight.Acknowledged(response.Ack);
                }
                if (response.BodyCase == CollectorMessage.BodyOneofCase.Ack && !connected)
                {
                    connected = true;
                    backoff.Reset();
                    var offset = response.CollectorTime.ToDateTimeOffset() - time.GetUtcNow();
                    log.LogInformation("Connected to collector {Collector} as host {Host} (collector clock {Offset:+0.000;-0.000} s from ours)",
                        collector, options.Value.EffectiveHostName, offset.TotalSeconds);
                }
            }
            snapshotRequests.TryComplete();
        }
        catch (Exception e)
        {
            snapshotRequests.TryComplete(e);
        }
    }

    /// <summary>
    /// The observations sent on this stream and not yet acknowledged, as the journal would keep
    /// them: when the stream breaks they go back to the journal, so that an observation the
    /// collector never stored (it failed, or was killed, before its commit) is not lost. With debug
    /// logging on, each acknowledged snapshot is logged with when it was observed and when the
    /// collector filed it: the record an operator (or the soak's checker) compares with what the
    /// store holds.
    /// </summary>
    private sealed class InFlight(ILogger log)
    {
        private readonly ConcurrentDictionary<ulong, (OutageJournal.Entry Entry, long SentTicks)> sent = new();

        public void Sending(AgentMessage message, OutageJournal.Entry entry) => sent[message.Sequence] = (entry, System.Diagnostics.Stopwatch.GetTimestamp());

        /// <summary>The collector handles a stream's messages in order: an acknowledgement settles every message before it too.</summary>
        public void Acknowledged(Ack ack)
        {
            foreach (var sequence in sent.Keys.Where(s => s <= ack.Sequence))
            {
                if (sent.TryRemove(sequence, out var settled) && sequence == ack.Sequence && settled.Entry.Snapshot is not null && log.IsEnabled(LogLevel.Debug))
                {
                    log.LogDebug("Snapshot {Sequence} observed at {ObservedAt} filed at {FiledAt}, acknowledged after {Milliseconds} ms", ack.Sequence,
                        settled.Entry.ObservedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                        ack.FiledAt?.ToDateTimeOffset().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                        System.Diagnostics.Stopwatch.GetElapsedTime(settled.SentTicks).TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        /// <summary>What was sent and not acknowledged, oldest first.</summary>
        public List<OutageJournal.Entry> Unacknowledged() => [.. sent.OrderBy(p => p.Key).Select(p => p.Value.Entry)];
    }
}
