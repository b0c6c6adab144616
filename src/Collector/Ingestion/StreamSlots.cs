using System.Collections.Concurrent;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// How many ingest streams each certificate may hold open at once. An agent needs one; two let a reconnect overlap the old stream's end. Refused
/// streams are refused before any of their messages is read, so one certificate cannot make the
/// collector hold more than this many large messages.
/// </summary>
public sealed class StreamSlots
{
    public const int PerCaller = 2;

    private readonly ConcurrentDictionary<string, int> open = new(StringComparer.Ordinal);

    /// <summary>A slot for the caller until disposed, or null when it holds all of its slots.</summary>
    public IDisposable? TryTake(string caller)
    {
        while (true)
        {
            var count = open.GetOrAdd(caller, 0);
            if (count >= PerCaller)
            {
                return null;
            }
            if (open.TryUpdate(caller, count + 1, count))
            {
                return new Slot(this, caller);
            }
        }
    }

    private void Release(string caller)
    {
        while (true)
        {
            var count = open[caller];
            if (count == 1 ? open.TryRemove(new KeyValuePair<string, int>(caller, 1)) : open.TryUpdate(caller, count - 1, count))
            {
                return;
            }
        }
    }

    private sealed class Slot(StreamSlots slots, string caller) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slots.Release(caller);
            }
        }
    }
}
