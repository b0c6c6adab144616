namespace DaemonNet.Collector.Facts;

/// <summary>
/// Since when this collector has been listening without a break. A host's silence is counted from
/// then at the earliest: while the collector itself was stopped (an upgrade, a restart, SIGSTOP),
/// no agent could reach it, and that is no fault of the hosts. A break is noticed by the clock's
/// own looks (several a second, by the collector's ListeningTicker) stopping: a look that finds the
/// last one more than <see cref="Break"/> ago starts the count again. The gap is measured on the monotonic
/// clock, which runs on while a process is frozen, and only the instant it is stamped with comes
/// from the collector's <see cref="TimeProvider"/>.
/// </summary>
public sealed class ListeningClock
{
    /// <summary>A gap between two looks longer than this means the collector was not running.</summary>
    public static readonly TimeSpan Break = TimeSpan.FromSeconds(3);

    /// <summary>How often the collector looks while it runs.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    /// <summary>A clock that has always listened: tests and tools that read a store without serving it.</summary>
    public static readonly ListeningClock Always = new(DateTimeOffset.MinValue);

    private readonly Lock gate = new();
    private readonly bool always;
    private long sinceMs;
    private long lastLook = System.Diagnostics.Stopwatch.GetTimestamp();

    public ListeningClock(DateTimeOffset startedAt)
    {
        always = startedAt == DateTimeOffset.MinValue;
        sinceMs = always ? long.MinValue : startedAt.ToUnixTimeMilliseconds();
    }

    /// <summary>The instant (Unix milliseconds) since which the collector has listened, as of <paramref name="now"/>.</summary>
    public long SinceMs(DateTimeOffset now)
    {
        if (always)
        {
            return long.MinValue;
        }
        lock (gate)
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(lastLook) > Break)
            {
                sinceMs = now.ToUnixTimeMilliseconds();
            }
            lastLook = System.Diagnostics.Stopwatch.GetTimestamp();
            return sinceMs;
        }
    }

    /// <summary>
    /// The collector listens from now: its start took until now (a migration of a large database
    /// can take minutes), and no agent could reach it meanwhile.
    /// </summary>
    public void ListeningFrom(DateTimeOffset now)
    {
        if (always)
        {
            return;
        }
        lock (gate)
        {
            sinceMs = now.ToUnixTimeMilliseconds();
            lastLook = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }
}
