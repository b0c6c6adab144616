namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Capped exponential backoff with jitter: each failure doubles the ceiling up to the cap, and the
/// wait is drawn from the upper half of it, so a thousand agents that lost the collector together
/// do not come back together.
/// </summary>
public sealed class Backoff(TimeSpan first, TimeSpan cap, Random random)
{
    /// <summary>The longest wait between two attempts, whatever the agent's interval.</summary>
    public static readonly TimeSpan LongestCap = TimeSpan.FromMinutes(1);

    private int failures;

    /// <summary>
    /// The sync loop's backoff: from a second (or the interval, if shorter) up to the agent's own
    /// interval, and never more than <see cref="LongestCap"/>. While the collector is away the agent
    /// looks at its host every interval anyway, so trying the collector as often costs little, and a
    /// collector that restarts (an upgrade) has its agents back within one interval, well before
    /// any of them counts as stale.
    /// </summary>
    public static Backoff ForInterval(TimeSpan interval, Random random)
    {
        var cap = interval < LongestCap ? interval : LongestCap;
        return new Backoff(cap < TimeSpan.FromSeconds(1) ? cap : TimeSpan.FromSeconds(1), cap, random);
    }

    public TimeSpan Next()
    {
        var ceiling = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30)));
        failures++;
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + random.NextDouble() / 2));
    }

    public void Reset() => failures = 0;
}
