using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// What the collector says held, as spans per fact: every VM's history through the Inventory API
/// (placements, NICs, the bindings of its MACs, and its hosts' silences), and the tunnel links
/// read from the database, which no question lists over time.
/// </summary>
public sealed class StoreView
{
    private readonly Dictionary<Fact, List<(long From, long? To)>> spans = [];
    private readonly Dictionary<string, List<(long From, long To)>> silences = new(StringComparer.Ordinal);

    public IReadOnlyCollection<Fact> Facts => spans.Keys;

    public IReadOnlyDictionary<string, List<(long From, long To)>> Silences => silences;

    public static long Ms(Timestamp time) => time.ToDateTimeOffset().ToUnixTimeMilliseconds();

    /// <summary>The fact a history entry is about; null for a silence.</summary>
    public static Fact? FactOf(HistoryEntry entry) => entry.Kind switch
    {
        HistoryKind.Placement => new Fact(FactKind.Placement, entry.Host, entry.VmUuid, $"{entry.VmName}|{entry.State}"),
        HistoryKind.Nic => new Fact(FactKind.Nic, entry.Host, entry.VmUuid, $"{entry.Nic.Mac}|{entry.Nic.Network}"),
        HistoryKind.Address => new Fact(FactKind.Binding, entry.Host, entry.Mac, $"{entry.Address.Ip}|{entry.Address.Source}|{entry.Address.Device}"),
        _ => null,
    };

    public void Add(HistoryEntry entry)
    {
        long? to = entry.To is null ? null : Ms(entry.To);
        if (FactOf(entry) is { } fact)
        {
            Add(fact, Ms(entry.From), to);
        }
        else if (entry.Kind == HistoryKind.Silence)
        {
            var list = silences.TryGetValue(entry.Host, out var found) ? found : silences[entry.Host] = [];
            var span = (Ms(entry.From), to ?? long.MaxValue);
            if (!list.Contains(span))
            {
                list.Add(span);
            }
        }
    }

    public void Add(Fact fact, long from, long? to)
    {
        var list = spans.TryGetValue(fact, out var found) ? found : spans[fact] = [];
        if (!list.Contains((from, to)))
        {
            list.Add((from, to));
        }
    }

    public bool Holds(Fact fact, long at) => spans.TryGetValue(fact, out var list) && list.Any(s => s.From <= at && (s.To is null || at < s.To));

    /// <summary>Whether the collector says it knows nothing of the host at the instant: a recorded silence covers it.</summary>
    public bool Silent(string host, long at) => silences.TryGetValue(host, out var list) && list.Any(s => s.From <= at && at < s.To);
}
