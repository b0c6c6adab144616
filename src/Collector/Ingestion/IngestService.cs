using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// One stream per agent. Every message is validated before it touches the store, and every
/// acknowledgement is sent after the store committed. A stream belongs to the first host it
/// speaks for; a message for another host ends it. With collectors that share a database, the
/// host's stream must also be this collector's to take (<see cref="IIngestWriter.ClaimHostAsync"/>). The
/// contract's messages become the collector's own reports here (<see cref="FactCatalogue.Report(HostSnapshot, long)"/>).
/// </summary>
public sealed class IngestService(IIngestWriter store, TimeProvider time, RejectionCounter rejections, StreamSlots slots, WriteShares shares,
    RevokedCertificates revoked, CollectorMetrics metrics, ILogger<IngestService> log) : Ingest.IngestBase
{
    public override async Task Sync(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<CollectorMessage> responseStream, ServerCallContext context)
    {
        var stream = new StreamState();
        var caller = CallerIdentity.Of(context);
        // Without certificates (--insecure) there is no one to count streams against: anyone on the network may write anyway.
        using var slot = caller is null ? null : slots.TryTake(caller.ToString())
            ?? throw Reject(StatusCode.ResourceExhausted, CollectorMetrics.Refusal.StreamLimit, stream, context,
                $"{caller} has {StreamSlots.PerCaller} ingest streams open already, and an agent needs one; this one was refused before any message was read");
        using var open = metrics.StreamOpen();
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                // A certificate revoked while its stream is open is refused at its next message.
                if (caller is not null && revoked.IsRevoked(caller.Serial))
                {
                    throw Reject(StatusCode.PermissionDenied, CollectorMetrics.Refusal.Revoked, stream, context, $"the certificate of {caller} (serial {caller.Serial}) is revoked");
                }
                if (AgentMessageValidator.Problem(message) is { } problem)
                {
                    throw Reject(StatusCode.InvalidArgument, CollectorMetrics.Refusal.Invalid, stream, context, $"message {message.Sequence} refused: {problem}",
                        ClaimedHost(message));
                }
                var now = time.GetUtcNow();
                stream.ClockOffset ??= message.SentAt is { } sentAt ? now - sentAt.ToDateTimeOffset() : TimeSpan.Zero;
                if (stream.ClockOffset.Value.Duration() > MaxClockSkew)
                {
                    throw Reject(StatusCode.InvalidArgument, CollectorMetrics.Refusal.ClockSkew, stream, context,
                        $"the agent's clock is {stream.ClockOffset.Value.Duration().TotalHours:0.#} hours off the collector's ({now:u}); set its time (NTP) and it will be accepted",
                        ClaimedHost(message));
                }
                var at = message.Replayed ? FiledAt(message, stream.ClockOffset.Value, now) : now;
                var reply = message.Snapshot is { } snapshot
                    ? await ApplySnapshotAsync(message.Sequence, snapshot, message.Replayed, stream, at, context)
                    : await ConfirmHeartbeatAsync(message.Sequence, message.Heartbeat, stream, at, context);
                reply.CollectorTime = Timestamp.FromDateTimeOffset(now);
                await responseStream.WriteAsync(reply, context.CancellationToken);
                if (reply.Ack is not null)
                {
                    metrics.Ingested(message.Snapshot is not null);
                }
            }
        }
        catch (Exception e) when (Unparsable(e) is { } parseError)
        {
            throw Reject(StatusCode.InvalidArgument, CollectorMetrics.Refusal.Invalid, stream, context,
                $"the message is not a valid AgentMessage ({parseError.Message}); nothing of it was stored");
        }
        finally
        {
            if (stream.Host is not null)
            {
                log.LogInformation("Host {Host} disconnected ({Peer})", stream.Host, context.Peer);
            }
            if (stream.Claimed)
            {
                await ReleaseAsync(stream.Host!);
            }
        }
    }

    /// <summary>A claim that cannot be given up (the database went away) ends with the writer's connection all the same.</summary>
    private async Task ReleaseAsync(string host)
    {
        try
        {
            await store.ReleaseHostAsync(host, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            log.LogWarning("Could not give up host {Host}'s stream: {Reason}", host, e.Message);
        }
    }

    /// <summary>The host a message says it is from, before anything vouches for it.</summary>
    private static string? ClaimedHost(AgentMessage message) => message.Snapshot?.Host?.Name ?? message.Heartbeat?.HostName;

    // Bytes that do not parse (truncated, invalid UTF-8 in a string) fail while the stream is read.
    private static InvalidProtocolBufferException? Unparsable(Exception e) =>
        e as InvalidProtocolBufferException ?? e.InnerException as InvalidProtocolBufferException;

    /// <summary>
    /// An agent clock further off than this is broken, not skewed: replayed observations could not
    /// be placed in time. Smaller skews are only recorded (hosts shows them).
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    /// <summary>
    /// When a replayed observation happened on the collector's clock: the agent's time plus the
    /// offset measured when the stream opened, never later than now.
    /// </summary>
    private static DateTimeOffset FiledAt(AgentMessage message, TimeSpan clockOffset, DateTimeOffset now)
    {
        var observed = message.Snapshot?.AgentTime ?? message.Heartbeat?.AgentTime;
        return observed is null ? now : Min(observed.ToDateTimeOffset() + clockOffset, now);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task<CollectorMessage> ApplySnapshotAsync(ulong sequence, HostSnapshot snapshot, bool replayed, StreamState stream, DateTimeOffset now,
        ServerCallContext context)
    {
        await BindAsync(stream, snapshot.Host.Name, context);
        var filedAt = now;
        await shares.WriteAsync(snapshot.Host.Name, async () =>
        {
            var write = await store.ApplyAsync(FactCatalogue.Report(snapshot, now.ToUnixTimeMilliseconds()) with { Replayed = replayed }, now,
                context.CancellationToken);
            metrics.Applied(write.Held);
            filedAt = write.FiledAt;
            return write.Held;
        }, context.CancellationToken);
        return new CollectorMessage { Ack = new Ack { Sequence = sequence, FiledAt = Timestamp.FromDateTimeOffset(filedAt) } };
    }

    private async Task<CollectorMessage> ConfirmHeartbeatAsync(ulong sequence, Heartbeat heartbeat, StreamState stream, DateTimeOffset now, ServerCallContext context)
    {
        await BindAsync(stream, heartbeat.HostName, context);
        if (await store.ConfirmAsync(FactCatalogue.Report(heartbeat), now, context.CancellationToken))
        {
            return new CollectorMessage { Ack = new Ack { Sequence = sequence } };
        }
        return new CollectorMessage
        {
            SnapshotRequest = new SnapshotRequest { Reason = "the collector does not hold the content this heartbeat vouches for" },
        };
    }

    private async Task BindAsync(StreamState stream, string name, ServerCallContext context)
    {
        if (CallerIdentity.Of(context) is { } caller)
        {
            if (caller.Name != name)
            {
                throw Reject(StatusCode.PermissionDenied, CollectorMetrics.Refusal.WrongHost, stream, context,
                    $"the certificate is for host {caller.Name}; a message for host {name} was refused");
            }
        }
        if (stream.Host is null)
        {
            if (!await store.ClaimHostAsync(name, context.CancellationToken))
            {
                metrics.Refused(CollectorMetrics.Refusal.HostElsewhere);
                log.LogInformation("Host {Host} ({Peer}) streams through another collector of this database; this stream was refused", name, context.Peer);
                throw new RpcException(new Status(StatusCode.Unavailable,
                    $"host {name} streams through another collector of this database now; nothing was stored. The agent retries, through another collector if it has one"));
            }
            stream.Claimed = true;
            stream.Host = name;
            log.LogInformation("Host {Host} connected ({Peer})", name, context.Peer);
        }
        else if (stream.Host != name)
        {
            throw Reject(StatusCode.PermissionDenied, CollectorMetrics.Refusal.WrongHost, stream, context,
                $"this stream speaks for host {stream.Host}; a message for host {name} was refused");
        }
    }

    /// <summary>What one stream has established: the host it speaks for, and how far the agent's clock is from ours.</summary>
    private sealed class StreamState
    {
        public string? Host { get; set; }

        public TimeSpan? ClockOffset { get; set; }

        /// <summary>Whether this stream holds the host's claim, to give up when it ends.</summary>
        public bool Claimed { get; set; }
    }

    /// <summary>
    /// Refuses the message and ends the stream. With certificates the refusal counts against the
    /// host the caller proved to be (an agent's certificate), never a name the message merely
    /// claims. Without them (--insecure) anyone may claim any name anyway, so the claim is counted.
    /// </summary>
    private RpcException Reject(StatusCode code, string label, StreamState stream, ServerCallContext context, string reason, string? claimed = null)
    {
        metrics.Refused(label);
        var caller = CallerIdentity.Of(context);
        var host = caller is null ? stream.Host ?? (claimed is not null && HostNames.IsValid(claimed) ? claimed : null) : caller.Role == ClusterTrust.AgentRole ? caller.Name : null;
        if (host is not null)
        {
            rejections.Count(host);
        }
        log.LogWarning("Refused {Caller} ({Peer}): {Reason}", caller?.ToString() ?? host ?? "an unnamed agent", context.Peer, reason);
        return new RpcException(new Status(code, reason));
    }
}
