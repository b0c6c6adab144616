namespace DaemonNet.HostAgent.Sources.Capture;

/// <summary>
/// What was seen on the wire, coalesced: one entry per MAC, address and bridge, however often it
/// is announced, kept while it was seen within <see cref="Keep"/>. Bounded: past <see cref="Capacity"/>
/// entries the least recently seen tenth is dropped, so a flood of invented addresses costs a fixed
/// amount of memory. A claim that is later seen in use becomes a holding.
/// </summary>
public sealed class CaptureTable(int capacity, TimeSpan keep)
{
    public const int DefaultCapacity = 4_096;

    public static readonly TimeSpan DefaultKeep = TimeSpan.FromMinutes(15);

    private readonly Lock gate = new();
    private readonly Dictionary<(string Mac, string Ip, string Device), Entry> entries = [];

    public int Capacity => capacity;

    public TimeSpan Keep => keep;

    public long Dropped { get; private set; }

    public void Saw(Sighting sighting, string device, DateTimeOffset at)
    {
        lock (gate)
        {
            var key = (sighting.Mac, sighting.Ip, device);
            if (entries.TryGetValue(key, out var entry))
            {
                entry.LastSeen = at;
                entry.Claim &= sighting.Claim;
                return;
            }
            if (entries.Count >= capacity)
            {
                var oldest = entries.OrderBy(e => e.Value.LastSeen).Take(Math.Max(1, capacity / 10)).Select(e => e.Key).ToList();
                foreach (var old in oldest)
                {
                    entries.Remove(old);
                }
                Dropped += oldest.Count;
            }
            entries[key] = new Entry { LastSeen = at, Claim = sighting.Claim };
        }
    }

    /// <summary>Every entry seen within <see cref="Keep"/> of <paramref name="now"/>; older ones are forgotten.</summary>
    public List<(string Mac, string Ip, string Device, bool Claim, DateTimeOffset LastSeen)> Current(DateTimeOffset now)
    {
        lock (gate)
        {
            foreach (var expired in entries.Where(e => now - e.Value.LastSeen > keep).Select(e => e.Key).ToList())
            {
                entries.Remove(expired);
            }
            return entries.Select(e => (e.Key.Mac, e.Key.Ip, e.Key.Device, e.Value.Claim, e.Value.LastSeen)).ToList();
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset LastSeen { get; set; }

        public bool Claim { get; set; }
    }
}
