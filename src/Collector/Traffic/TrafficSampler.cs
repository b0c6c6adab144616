namespace DaemonNet.Collector.Traffic;

/// <summary>
/// Which counter readings become traffic rows, and what flowed. Per host it remembers when its
/// readings last became rows and its latest readings since. A reading sooner than
/// <see cref="TrafficResolution.SampleEvery"/> after the last row touches only this memory: the
/// next row covers its traffic. When a counter restarts meanwhile, the traffic up to the latest
/// reading before the restart is written first, so that nothing is lost. The store's writer is
/// its only user, under its lock; a collector restart forgets it, which at worst loses one period
/// at a reset.
/// </summary>
public sealed class TrafficSampler(TrafficResolution resolution)
{
    private readonly Dictionary<long, long> lastSample = [];
    private readonly Dictionary<long, Dictionary<string, CounterReading>> latest = [];

    /// <summary>
    /// Whether this host's readings are to become rows now; when they are, the latest earlier
    /// reading of each link whose counters restarted since (the traffic up to it must not be lost).
    /// </summary>
    public bool IsDue(long hostId, IReadOnlyList<CounterReading> readings, long now, out IReadOnlyDictionary<string, CounterReading> beforeRestart)
    {
        var seen = latest.GetValueOrDefault(hostId) ?? [];
        beforeRestart = readings.Where(r => seen.TryGetValue(r.Link, out var earlier) && CounterDelta.Restarted(earlier, r))
            .ToDictionary(r => r.Link, r => seen[r.Link], StringComparer.Ordinal);
        return beforeRestart.Count > 0 || !lastSample.TryGetValue(hostId, out var last) || now - last >= resolution.SampleEvery.TotalMilliseconds;
    }

    /// <summary>
    /// What flowed on each link from its stored reading (the anchor) to the new one; a link with no
    /// anchor, or a reading no newer than it (a replayed one), adds nothing.
    /// </summary>
    public static List<TrafficDelta> Flowed(IReadOnlyDictionary<string, CounterReading> anchors, IEnumerable<CounterReading> readings,
        IReadOnlyDictionary<string, CounterReading> beforeRestart)
    {
        var flowed = new List<TrafficDelta>();
        foreach (var reading in readings.Where(r => anchors.TryGetValue(r.Link, out var anchor) && r.SampledAt > anchor.SampledAt))
        {
            var from = anchors[reading.Link];
            if (beforeRestart.TryGetValue(reading.Link, out var last) && last.SampledAt > from.SampledAt)
            {
                flowed.Add(CounterDelta.Between(from, last));
                from = last;
            }
            flowed.Add(CounterDelta.Between(from, reading));
        }
        return flowed;
    }

    /// <summary>After the write committed: these are the host's latest readings, and, when they became rows, its last sample.</summary>
    public void Committed(long hostId, IReadOnlyList<CounterReading> readings, bool becameRows, long now)
    {
        latest[hostId] = readings.ToDictionary(r => r.Link, StringComparer.Ordinal);
        if (becameRows)
        {
            lastSample[hostId] = now;
        }
    }
}
