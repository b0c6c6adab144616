using DaemonNet.Collector.Answers;

namespace DaemonNet.Collector.Facts;

/// <summary>
/// When facts end without a snapshot saying so.
/// </summary>
/// <param name="SilentAfter">
/// A host silent for longer than this is "silent": its facts end at its last report, and new
/// intervals start when it returns. Null means three of the host's own intervals.
/// </param>
/// <param name="RejoinWindow">
/// A MAC↔IP binding that vanishes and comes back within this time, with no other MAC taking the
/// address meanwhile, continues its interval instead of starting a new one.
/// </param>
public sealed record IntervalRules(TimeSpan? SilentAfter, TimeSpan RejoinWindow)
{
    public static readonly IntervalRules Default = new(null, TimeSpan.FromMinutes(15));

    /// <summary>Since when the collector has listened: a host's silence counts from then at the earliest.</summary>
    public ListeningClock Listening { get; init; } = ListeningClock.Always;

    /// <summary>Without --stale-after, a host is silent after this many of its own intervals…</summary>
    public const int IntervalsBeforeSilence = 3;

    /// <summary>…counting an interval as at least this long, so a fast agent is not stale after a hiccup.</summary>
    public const long ShortestIntervalMs = 1_000;

    // The interval is bounded on the wire; the clamp keeps a row from any older collector from overflowing.
    public TimeSpan SilenceLimit(long intervalMs) =>
        SilentAfter ?? TimeSpan.FromMilliseconds(IntervalsBeforeSilence * Math.Clamp(intervalMs, ShortestIntervalMs, MaxIntervalMs));

    /// <summary>The same limit in SQL, in milliseconds, for the row <paramref name="host"/> of hosts (with the @SilentAfterMs parameter).</summary>
    public static string SilenceLimitSql(string host) =>
        $"coalesce(@SilentAfterMs, {IntervalsBeforeSilence} * CASE WHEN {host}.interval_ms > {ShortestIntervalMs} THEN {host}.interval_ms ELSE {ShortestIntervalMs} END)";

    /// <summary>
    /// Whether a host fell silent between its last report and this one. The collector heard
    /// nothing for longer than the limit, and the agent's own clock does not show it observing
    /// again within the limit. Both must hold: a collector that falls behind reads a stream late,
    /// but the agent went on observing at its interval, and its reports say so by their agent
    /// times. An agent time that did not move on (unknown, the same, or earlier: a clock set back)
    /// vouches for nothing, and the collector's gap decides alone.
    /// </summary>
    public bool SilentBetween(long lastReport, long? lastAgentTime, long now, long? agentTime, long intervalMs)
    {
        var limit = (long)SilenceLimit(intervalMs).TotalMilliseconds;
        var observedAgainInTime = agentTime - lastAgentTime is { } agentGap && agentGap > 0 && agentGap <= limit;
        return now - lastReport > limit && !observedAgainInTime;
    }

    /// <summary>
    /// The negation of <see cref="SilentBetween"/> in SQL for the row <paramref name="host"/> of
    /// hosts, with the parameters @Now, @AgentTime and @SilentAfterMs.
    /// </summary>
    public static string HeardWithinLimitSql(string host) =>
        $"(@Now - {host}.last_report <= {SilenceLimitSql(host)} OR (@AgentTime > {host}.agent_time AND @AgentTime - {host}.agent_time <= {SilenceLimitSql(host)}))";

    /// <summary>
    /// <see cref="IsSilent"/> in SQL for the row <paramref name="host"/> of hosts, with the
    /// parameters @Now, @SilentAfterMs and @ListeningSince (<see cref="ListeningSinceMs"/>).
    /// </summary>
    public static string IsSilentSql(string host) =>
        $"@Now - (CASE WHEN {host}.last_report > @ListeningSince THEN {host}.last_report ELSE @ListeningSince END) > {SilenceLimitSql(host)}";

    /// <summary>The value of @ListeningSince for <see cref="IsSilentSql"/>.</summary>
    public long ListeningSinceMs(DateTimeOffset now) => Listening.SinceMs(now);

    private const long MaxIntervalMs = 100L * 365 * 24 * 3600 * 1000;

    /// <summary>
    /// Whether the host has been silent for longer than its limit while this collector listened:
    /// the time the collector itself was stopped is not the host's silence.
    /// </summary>
    // In milliseconds, without turning the stored report into a date: no stored value can make it throw.
    public bool IsSilent(HostRow host, DateTimeOffset now) =>
        Math.Max(host.LastReport, Listening.SinceMs(now)) < now.ToUnixTimeMilliseconds() - (long)SilenceLimit(host.IntervalMs).TotalMilliseconds;

    /// <summary>Whether the host's last report is older than its limit, however long the collector listened: a silence that began before a restart.</summary>
    public bool SilentSinceLastReport(HostRow host, DateTimeOffset now) =>
        host.LastReport < now.ToUnixTimeMilliseconds() - (long)SilenceLimit(host.IntervalMs).TotalMilliseconds;
}
