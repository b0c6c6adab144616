using System.Threading.Channels;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// Fans committed changes out to the watchers. Publishing never waits: each watcher has a queue
/// of <see cref="QueueLength"/> events, and one that falls further behind is dropped (its reader
/// ends with <see cref="FellBehindException"/>) rather than slowing ingest or growing memory.
/// </summary>
public sealed class ChangeFeed
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

    /// <summary>Subscribes; events that match <paramref name="query"/> (all when null) arrive on the returned reader until it is disposed.</summary>
    public Watcher Subscribe(InventoryQuery? query)
    {
        var watcher = new Watcher(this, query);
        lock (gate)
        {
            watchers.Add(watcher);
        }
        return watcher;
    }

    /// <summary>Called by the store after each snapshot's commit.</summary>
    public void Publish(CommittedFacts facts)
    {
        if (WatcherCount > 0)
        {
            Publish(WatchEvents.From(facts));
        }
    }

    public void Publish(IReadOnlyList<WatchEvent> events)
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
        foreach (var watcher in current)
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
    public sealed class Watcher(ChangeFeed feed, InventoryQuery? query) : IDisposable
    {
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
