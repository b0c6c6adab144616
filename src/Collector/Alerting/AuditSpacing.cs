namespace DaemonNet.Collector.Alerting;

/// <summary>
/// How long the alert engine leaves between two runs of the audit: at least a second, and at least
/// <see cref="IdleShare"/> times what a run costs, so that under a stream of changes a large
/// cluster's audit takes a bounded share of a core, never all of it. A run's cost is the fastest of
/// the last <see cref="Remembered"/> runs, counting runs not yet made as free: one slow run (the
/// first after a start, while code is compiled and caches fill, or a pause of the machine) is not
/// what the audit costs, and would otherwise hold back every alert, host-stale included, for ten
/// times as long.
/// </summary>
public sealed class AuditSpacing
{
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);
    public const int IdleShare = 10;
    public const int Remembered = 3;

    private readonly TimeSpan[] durations = new TimeSpan[Remembered];
    private int next;

    /// <summary>Records how long a run took; returns how long to wait after it before the next.</summary>
    public TimeSpan After(TimeSpan took)
    {
        durations[next] = took;
        next = (next + 1) % Remembered;
        var spacing = durations.Min() * IdleShare;
        return (spacing > Minimum ? spacing : Minimum) - took is { Ticks: > 0 } wait ? wait : TimeSpan.Zero;
    }
}
