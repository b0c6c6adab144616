namespace DaemonNet.Collector.Storage;

/// <summary>
/// Since when this collector has been listening without a break. A host's silence is counted from
/// then at the earliest: while the collector itself was stopped (an upgrade, a restart, SIGSTOP),
/// no agent could reach it, and that is no fault of the hosts. A break is noticed by the clock's
/// own ticks (<see cref="Ticker"/>, several a second) stopping: any look that finds the last one
/// more than <see cref="Break"/> ago starts the count again.
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
    private long lastLookMs;

    public ListeningClock(DateTimeOffset startedAt)
    {
        always = startedAt == DateTimeOffset.MinValue;
        sinceMs = always ? long.MinValue : startedAt.ToUnixTimeMilliseconds();
        lastLookMs = sinceMs;
    }

    /// <summary>The instant (Unix milliseconds) since which the collector has listened, as of <paramref name="now"/>.</summary>
    public long SinceMs(DateTimeOffset now)
    {
        if (always)
        {
            return long.MinValue;
        }
        var nowMs = now.ToUnixTimeMilliseconds();
        lock (gate)
        {
            if (nowMs - lastLookMs > (long)Break.TotalMilliseconds)
            {
                sinceMs = nowMs;
            }
            lastLookMs = Math.Max(lastLookMs, nowMs);
            return sinceMs;
        }
    }

    /// <summary>Looks at the clock every <see cref="Tick"/>, so that only a collector that was not running leaves a gap.</summary>
    public sealed class Ticker(ListeningClock clock, TimeProvider time) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(Tick, time);
            do
            {
                clock.SinceMs(time.GetUtcNow());
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
    }
}
