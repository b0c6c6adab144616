using System.Threading.Channels;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

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

    private TaskCompletionSource nextCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes at the next commit that changed something watched: the alert engine's doorbell
    /// for the outbox. Take it before reading the outbox, so that a commit in between still rings.
    /// </summary>
    public Task NextCommitAsync() => Volatile.Read(ref nextCommit).Task;

    public void Committed(CommittedFacts facts)
    {
        if (facts.IsEmpty)
        {
            return;
        }
        Interlocked.Exchange(ref nextCommit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (WatcherCount > 0)
        {
            Publish(ChangeEvents.From(facts));
        }
    }

    public byte[]? Encode(CommittedFacts facts) => ChangeEvents.From(facts) is { Count: > 0 } events ? ChangeEvents.Encode(events) : null;

    /// <summary>Publishes what another collector of the shared database committed, as <see cref="Encode"/> encoded it.</summary>
    /// <exception cref="System.Text.Json.JsonException">The bytes are not such events.</exception>
    public void PublishFromOthers(byte[] encoded) => Publish(ChangeEvents.Decode(encoded), fromOthers: true);

    public void Publish(IReadOnlyList<ChangeEvent> events) => Publish(events, fromOthers: false);

    private void Publish(IReadOnlyList<ChangeEvent> events, bool fromOthers)
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

        private readonly Channel<ChangeEvent> queue = Channel.CreateBounded<ChangeEvent>(
            new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public ChannelReader<ChangeEvent> Events => queue.Reader;

        internal bool Wants(ChangeEvent e) => query is null || e.Kind is ChangeKind.HostStale or ChangeKind.HostBack || query.Kind switch
        {
            QueryKind.Name => string.Equals(e.VmName, query.Value, StringComparison.OrdinalIgnoreCase),
            QueryKind.Uuid => e.VmUuid == query.Value,
            QueryKind.Mac => e.Mac == query.Value,
            _ => e.Binding?.Ip == query.Value,
        };

        internal void Offer(ChangeEvent e)
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
