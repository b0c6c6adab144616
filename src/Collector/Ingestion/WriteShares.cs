using System.Collections.Concurrent;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// Each host's share of the store's single writer. One host's snapshots are written one at a time,
/// and after a heavy write that held the writer for d the host's next one waits 3·d, so heavy
/// writes give no host the writer more than a quarter of the time. A normal write takes
/// milliseconds and costs no rest; a host sending the heaviest snapshot the limits allow, back to
/// back on every stream it may open, leaves the others the writer three quarters of the time and
/// makes each of them wait at most one of its writes.
/// </summary>
/// <remarks>
/// Rest is real time, as the time a write holds the writer is: it shares the machine, not the
/// history's clock (which tests move by hand).
/// </remarks>
public sealed class WriteShares
{
    /// <summary>How long a host waits after a heavy write, per unit of time that write held the writer.</summary>
    public const int RestPerWrite = 3;

    /// <summary>A write shorter than this is an ordinary one and costs no rest: a 50-VM snapshot takes a few milliseconds.</summary>
    public static readonly TimeSpan HeavyWrite = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, Turn> hosts = new(StringComparer.Ordinal);

    /// <summary>Runs one host's write in its turn; <paramref name="write"/> returns how long it held the writer (waiting for it does not count).</summary>
    public async Task WriteAsync(string host, Func<Task<TimeSpan>> write, CancellationToken cancellationToken)
    {
        var turn = hosts.GetOrAdd(host, _ => new Turn());
        await turn.Gate.WaitAsync(cancellationToken);
        try
        {
            var rest = turn.NotBefore - TimeSpan.FromMilliseconds(Environment.TickCount64);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, cancellationToken);
            }
            var held = await write();
            if (held >= HeavyWrite)
            {
                turn.NotBefore = TimeSpan.FromMilliseconds(Environment.TickCount64) + RestPerWrite * held;
            }
        }
        finally
        {
            turn.Gate.Release();
        }
    }

    private sealed class Turn
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>On the monotonic clock (<see cref="Environment.TickCount64"/>).</summary>
        public TimeSpan NotBefore { get; set; }
    }
}
