namespace DaemonNet.Collector.Alerting;

/// <summary>
/// How long the alert engine leaves between two runs of the audit: at least a second, and at least
/// <see cref="IdleShare"/> times the last run's duration, so that under a stream of changes a large
/// cluster's audit takes a bounded share of a core, never all of it. The first run after a start
/// does not count: it compiles code and fills caches, so its duration says little about the
/// audit's cost, and in one CI run it held every alert, host-stale included, back for 14 s.
/// </summary>
public sealed class AuditSpacing
{
    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);
    private const int IdleShare = 10;

    private bool warm;

    /// <summary>Records how long a run took; returns how long to wait after it before the next.</summary>
    public TimeSpan After(TimeSpan took)
    {
        var cost = warm ? took : TimeSpan.Zero;
        warm = true;
        var spacing = cost * IdleShare > Minimum ? cost * IdleShare : Minimum;
        return spacing > took ? spacing - took : TimeSpan.Zero;
    }
}
