using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// What the agent observed while the collector was unreachable, oldest first: a snapshot when the
/// content changed, a heartbeat entry otherwise, each with the time it was observed. Bounded:
/// past <see cref="MaxEntries"/> entries or <see cref="MaxSnapshotBytes"/> of snapshots, the oldest
/// go (the collector then sees that stretch as a silence, which is the truth it can know).
/// </summary>
public sealed class OutageJournal
{
    /// <summary>About 28 hours of heartbeats at the default 10 s interval.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>Room for hundreds of changed snapshots of a busy host; a snapshot of 50 VMs is about 20 KB.</summary>
    public const long MaxSnapshotBytes = 32L * 1024 * 1024;

    private readonly LinkedList<Entry> entries = new();
    private long snapshotBytes;

    /// <param name="Snapshot">The observed snapshot, or null when it equalled the previous entry's content.</param>
    public sealed record Entry(DateTimeOffset ObservedAt, string Hash, HostSnapshot? Snapshot);

    public int Count => entries.Count;

    public long Dropped { get; private set; }

    public void Record(HostSnapshot snapshot, string hash)
    {
        var observedAt = snapshot.AgentTime.ToDateTimeOffset();
        if (entries.Last?.Value.Hash == hash)
        {
            entries.AddLast(new Entry(observedAt, hash, null));
        }
        else
        {
            entries.AddLast(new Entry(observedAt, hash, snapshot));
            snapshotBytes += snapshot.CalculateSize();
        }
        while (entries.Count > MaxEntries || snapshotBytes > MaxSnapshotBytes)
        {
            DropOldest();
        }
    }

    /// <summary>Takes every entry, oldest first, leaving the journal empty.</summary>
    public List<Entry> Drain()
    {
        var drained = entries.ToList();
        entries.Clear();
        snapshotBytes = 0;
        return drained;
    }

    /// <summary>Puts back entries that could not be sent, ahead of anything recorded since.</summary>
    public void Restore(IEnumerable<Entry> unsent)
    {
        foreach (var entry in unsent.Reverse())
        {
            entries.AddFirst(entry);
            snapshotBytes += entry.Snapshot?.CalculateSize() ?? 0;
        }
    }

    // A heartbeat only makes sense after the snapshot it vouches for: when that snapshot goes,
    // the next entry inherits it.
    private void DropOldest()
    {
        var oldest = entries.First!.Value;
        entries.RemoveFirst();
        Dropped++;
        if (oldest.Snapshot is { } snapshot)
        {
            if (entries.First is { } next && next.Value.Snapshot is null)
            {
                next.Value = next.Value with { Snapshot = snapshot };
            }
            else
            {
                snapshotBytes -= snapshot.CalculateSize();
            }
        }
    }
}
