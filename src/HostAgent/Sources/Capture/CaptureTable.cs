namespace DaemonNet.HostAgent.Sources.Capture;

/// <summary>
/// What was seen on the wire, coalesced: one entry per MAC, address and bridge, however often it
/// is announced, kept while it was seen within <see cref="Keep"/>. Bounded twice: one MAC keeps at
/// most <see cref="PerMac"/> entries (a VM flooding invented addresses crowds out only itself, and
/// the collector gets a bounded report), and past <see cref="Capacity"/> entries in all the least
/// recently seen tenth is dropped; a flood costs a fixed amount of memory. A claim that is later
/// seen in use becomes a holding.
/// </summary>
public sealed class CaptureTable(int capacity, TimeSpan keep, int perMac = CaptureTable.DefaultPerMac)
{
    public const int DefaultCapacity = 4_096;

    /// <summary>Far more addresses than a VM has (IPv4 aliases, IPv6 privacy addresses over 15 minutes).</summary>
    public const int DefaultPerMac = 64;

    public static readonly TimeSpan DefaultKeep = TimeSpan.FromMinutes(15);

    private readonly Lock gate = new();
    private readonly Dictionary<(string Mac, string Ip, string Device), Entry> entries = [];
    private readonly Dictionary<string, int> countByMac = new(StringComparer.Ordinal);

    public int Capacity => capacity;

    public int PerMac => perMac;

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
            if (countByMac.GetValueOrDefault(sighting.Mac) >= perMac)
            {
                DropOldest(entries.Where(e => e.Key.Mac == sighting.Mac), Math.Max(1, perMac / 4));
            }
            if (entries.Count >= capacity)
            {
                DropOldest(entries, Math.Max(1, capacity / 10));
            }
            entries[key] = new Entry { LastSeen = at, Claim = sighting.Claim };
            countByMac[sighting.Mac] = countByMac.GetValueOrDefault(sighting.Mac) + 1;
        }
    }

    // Dropping several at a time keeps a flood's cost per frame low: one scan per many new entries.
    private void DropOldest(IEnumerable<KeyValuePair<(string Mac, string Ip, string Device), Entry>> among, int count)
    {
        var oldest = among.OrderBy(e => e.Value.LastSeen).Take(count).Select(e => e.Key).ToList();
        foreach (var old in oldest)
        {
            Remove(old);
        }
        Dropped += oldest.Count;
    }

    private void Remove((string Mac, string Ip, string Device) key)
    {
        entries.Remove(key);
        if (--countByMac[key.Mac] == 0)
        {
            countByMac.Remove(key.Mac);
        }
    }

    /// <summary>Every entry seen within <see cref="Keep"/> of <paramref name="now"/>; older ones are forgotten.</summary>
    public List<(string Mac, string Ip, string Device, bool Claim, DateTimeOffset LastSeen)> Current(DateTimeOffset now)
    {
        lock (gate)
        {
            foreach (var expired in entries.Where(e => now - e.Value.LastSeen > keep).Select(e => e.Key).ToList())
            {
                Remove(expired);
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
