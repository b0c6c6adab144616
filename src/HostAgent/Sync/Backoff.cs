namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Capped exponential backoff with jitter: each failure doubles the ceiling up to the cap, and the
/// wait is drawn from the upper half of it, so a thousand agents that lost the collector together
/// do not come back together.
/// </summary>
public sealed class Backoff(TimeSpan first, TimeSpan cap, Random random)
{
    private int failures;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30)));
        failures++;
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + random.NextDouble() / 2));
    }

    public void Reset() => failures = 0;
}
