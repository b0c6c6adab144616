using System.Threading.Channels;
using Google.Protobuf;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// Fans committed changes out to the watchers. Publishing never waits: each watcher has a queue
/// of <see cref="QueueLength"/> events, and one that falls further behind is dropped (its reader
/// ends with <see cref="FellBehindException"/>) rather than slowing ingest or growing memory.
/// With collectors that share a database, what the others committed arrives here too
/// (<see cref="OtherCollectorsChanges"/>), for the watchers that want it.
/// </summary>
public sealed class ChangeFeed : ICommitListener
{
    public const int QueueLength = 1_024;

    private readonly Lock gate = new();
    private readonly List<Watcher> watchers = [];

    public int WatcherCount
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    /// <summary>
    /// Subscribes; events that match <paramref name="query"/> (all when null) arrive on the returned
    /// reader until it is disposed. <paramref name="ownOnly"/> leaves out what other collectors of a
    /// shared database committed: each collector alerts on what it ingested.
    /// </summary>
    public Watcher Subscribe(InventoryQuery? query, bool ownOnly = false)
    {
        var watcher = new Watcher(this, query, ownOnly);
        lock (gate)
        {
            watchers.Add(watcher);
        }
        return watcher;
    }

    public void Committed(CommittedFacts facts)
    {
        if (WatcherCount > 0)
        {
            Publish(WatchEvents.From(facts));
        }
    }

    /// <summary>The snapshot's events, one length-delimited WatchEvent after another.</summary>
    public byte[]? EncodeForOthers(CommittedFacts facts)
    {
        var events = WatchEvents.From(facts);
        if (events.Count == 0)
        {
            return null;
        }
        using var encoded = new MemoryStream();
        foreach (var e in events)
        {
            e.WriteDelimitedTo(encoded);
        }
        return encoded.ToArray();
    }

    /// <summary>Publishes what another collector of the shared database encoded with <see cref="EncodeForOthers"/>.</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not such events.</exception>
    public void PublishFromOthers(byte[] encoded)
    {
        using var stream = new MemoryStream(encoded);
        var events = new List<WatchEvent>();
        while (stream.Position < stream.Length)
        {
            events.Add(WatchEvent.Parser.ParseDelimitedFrom(stream));
        }
        Publish(events, fromOthers: true);
    }

    public void Publish(IReadOnlyList<WatchEvent> events) => Publish(events, fromOthers: false);

    private void Publish(IReadOnlyList<WatchEvent> events, bool fromOthers)
    {
        if (events.Count == 0)
        {
            return;
        }
        Watcher[] current;
        lock (gate)
        {
            current = [.. watchers];
        }
        foreach (var watcher in current.Where(w => !(fromOthers && w.OwnOnly)))
        {
            foreach (var e in events.Where(watcher.Wants))
            {
                watcher.Offer(e);
            }
        }
    }

    private void Remove(Watcher watcher)
    {
        lock (gate)
        {
            watchers.Remove(watcher);
        }
    }

    /// <summary>One subscription: its queue of events and the query that filters them.</summary>
    public sealed class Watcher(ChangeFeed feed, InventoryQuery? query, bool ownOnly) : IDisposable
    {
        internal bool OwnOnly => ownOnly;

        private readonly Channel<WatchEvent> queue = Channel.CreateBounded<WatchEvent>(
            new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public ChannelReader<WatchEvent> Events => queue.Reader;

        internal bool Wants(WatchEvent e) => query is null || e.Kind is WatchEventKind.HostStale or WatchEventKind.HostBack || query.Kind switch
        {
            QueryKind.Name => string.Equals(e.VmName, query.Value, StringComparison.OrdinalIgnoreCase),
            QueryKind.Uuid => e.VmUuid == query.Value,
            QueryKind.Mac => e.Mac == query.Value,
            _ => e.Address?.Ip == query.Value,
        };

        internal void Offer(WatchEvent e)
        {
            if (!queue.Writer.TryWrite(e))
            {
                queue.Writer.TryComplete(new FellBehindException());
                feed.Remove(this);
            }
        }

        public void Dispose() => feed.Remove(this);
    }
}
