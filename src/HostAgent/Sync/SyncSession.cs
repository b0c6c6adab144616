using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// The agent's half of one sync stream as a state machine, without I/O or a clock, so that every
/// transition is tested directly. A new stream starts with nothing sent, so its first observation
/// goes whole. It replays what the outage journal kept, oldest first, each with the time it was
/// observed. Then each observation becomes a full snapshot when its content hash differs from the
/// last one sent or when the collector asked for a resync, and a heartbeat carrying that hash
/// otherwise. Sequence numbers count this stream's messages from 1.
/// </summary>
public sealed class SyncSession(string hostName)
{
    public ulong Sequence { get; private set; }

    /// <summary>The content hash the collector holds from this stream; null before the first snapshot and after a resync request.</summary>
    public string? SentHash { get; private set; }

    /// <summary>An observation made while the collector was unreachable.</summary>
    public AgentMessage Replay(OutageJournal.Entry entry, DateTimeOffset now)
    {
        var observedAt = Timestamp.FromDateTimeOffset(entry.ObservedAt);
        var message = new AgentMessage { Sequence = ++Sequence, Replayed = true, SentAt = Timestamp.FromDateTimeOffset(now) };
        if (entry.Snapshot is { } snapshot)
        {
            message.Snapshot = snapshot.Clone();
            message.Snapshot.AgentTime = observedAt;
        }
        else
        {
            message.Heartbeat = new Heartbeat { HostName = hostName, ContentHash = entry.Hash, AgentTime = observedAt };
        }
        SentHash = entry.Hash;
        return message;
    }

    /// <summary>What this observation of the host becomes on the stream.</summary>
    public AgentMessage Observe(HostSnapshot snapshot)
    {
        var hash = ContentHash.Of(snapshot);
        var message = new AgentMessage { Sequence = ++Sequence, SentAt = snapshot.AgentTime };
        if (hash != SentHash)
        {
            message.Snapshot = snapshot;
            SentHash = hash;
        }
        else
        {
            message.Heartbeat = new Heartbeat { HostName = snapshot.Host.Name, ContentHash = hash, AgentTime = snapshot.AgentTime, Counters = snapshot.Counters };
        }
        return message;
    }

    /// <summary>The collector asked for a full snapshot (it lost or doubts what it holds): the next observation goes whole.</summary>
    public void ResyncRequested() => SentHash = null;
}
