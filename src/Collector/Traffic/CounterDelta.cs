namespace DaemonNet.Collector.Traffic;

/// <summary>
/// The traffic between two counter readings. Counters restart at zero when the host reboots (a new
/// boot id) or the link is created again (a new ifindex): then everything the new reading counts
/// flowed since. A counter that went down otherwise either restarted or wrapped past 2^64; it is a
/// wrap only when the old reading was in the top quarter of the range and the new one in the
/// bottom quarter, which at 100 Gbit/s would take over ten years to mistake.
/// </summary>
public static class CounterDelta
{
    private const ulong Quarter = 1UL << 62;

    public static TrafficDelta Between(CounterReading before, CounterReading after)
    {
        var restarted = before.BootId != after.BootId || before.Ifindex != after.Ifindex;
        return new TrafficDelta(after.Link, before.SampledAt, after.SampledAt,
            Count(before.RxBytes, after.RxBytes, restarted),
            Count(before.TxBytes, after.TxBytes, restarted),
            Count(before.RxPackets, after.RxPackets, restarted),
            Count(before.TxPackets, after.TxPackets, restarted));
    }

    /// <summary>Whether the counters started again from zero between the two readings (reboot, link re-created, or a counter that fell without wrapping).</summary>
    public static bool Restarted(CounterReading before, CounterReading after) =>
        before.BootId != after.BootId || before.Ifindex != after.Ifindex
        || FellWithoutWrap(before.RxBytes, after.RxBytes) || FellWithoutWrap(before.TxBytes, after.TxBytes);

    private static bool FellWithoutWrap(long before, long after) =>
        (ulong)after < (ulong)before && !((ulong)before >= 3 * Quarter && (ulong)after < Quarter);

    public static ulong Flowed(ulong before, ulong after, bool restarted) =>
        restarted ? after
        : after >= before ? after - before
        : before >= 3 * Quarter && after < Quarter ? unchecked(after - before)
        : after;

    private static long Count(long before, long after, bool restarted) =>
        unchecked((long)Flowed((ulong)before, (ulong)after, restarted));
}
