using System.Text.Json;
using System.Text.Json.Serialization;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// Turns what a commit opened and closed into the events people watch for. A VM whose interval
/// closed and reopened on the same host changed (state or name); one that only opened was
/// defined there, one that only closed undefined. A NIC's tap device is not news. An address binding
/// comes with its evidence, and the VM that has its MAC on the reporting host when there is one.
/// </summary>
public static partial class ChangeEvents
{
    public static List<ChangeEvent> From(CommittedFacts facts)
    {
        var events = new List<ChangeEvent>();
        if (facts.IsEmpty)
        {
            return events;
        }
        var closed = facts.DomainsClosed.ToDictionary(d => d.Uuid, StringComparer.Ordinal);
        foreach (var domain in facts.DomainsOpened)
        {
            var changed = closed.Remove(domain.Uuid, out var before);
            events.Add(new ChangeEvent(changed ? ChangeKind.VmChanged : ChangeKind.VmDefined, facts.Host, facts.At)
            {
                VmUuid = domain.Uuid, VmName = domain.Name, State = domain.State, PreviousState = before?.State ?? 0,
            });
        }
        events.AddRange(closed.Values.Select(d => new ChangeEvent(ChangeKind.VmUndefined, facts.Host, facts.At)
        {
            VmUuid = d.Uuid, VmName = d.Name, PreviousState = d.State,
        }));

        var names = facts.DomainsOpened.Concat(facts.DomainsClosed).GroupBy(d => d.Uuid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        foreach (var (nics, kind) in new[] { (facts.NicsOpened, ChangeKind.NicAdded), (facts.NicsClosed, ChangeKind.NicRemoved) })
        {
            events.AddRange(nics.Select(n => new ChangeEvent(kind, facts.Host, facts.At)
            {
                VmUuid = n.DomainUuid, VmName = names.GetValueOrDefault(n.DomainUuid) ?? VmName(facts, n.Mac), Mac = n.Mac, Nic = n,
            }));
        }
        foreach (var (bindings, kind) in new[] { (facts.BindingsOpened, ChangeKind.AddressBound), (facts.BindingsClosed, ChangeKind.AddressUnbound) })
        {
            events.AddRange(bindings.Select(b =>
            {
                var vm = facts.VmOfMac.TryGetValue(b.Mac, out var found) ? found : ("", "");
                return new ChangeEvent(kind, facts.Host, facts.At) { VmUuid = vm.Item1, VmName = vm.Item2, Mac = b.Mac, Binding = b };
            }));
        }
        return events;
    }

    /// <summary>A host going stale or coming back, which no commit announces: time passing does it.</summary>
    public static ChangeEvent Host(string host, bool stale, DateTimeOffset at) =>
        new(stale ? ChangeKind.HostStale : ChangeKind.HostBack, host, at.ToUnixTimeMilliseconds());

    private static string VmName(CommittedFacts facts, string mac) => facts.VmOfMac.TryGetValue(mac, out var vm) ? vm.Name : "";

    /// <summary>The events as stored in the alert outbox and the shared change log: a JSON array.</summary>
    public static byte[] Encode(IReadOnlyList<ChangeEvent> events) => JsonSerializer.SerializeToUtf8Bytes(events, StoredEvents.Default.IReadOnlyListChangeEvent);

    /// <exception cref="JsonException">The bytes are not such events.</exception>
    public static IReadOnlyList<ChangeEvent> Decode(byte[] encoded) =>
        JsonSerializer.Deserialize(encoded, StoredEvents.Default.IReadOnlyListChangeEvent) ?? throw new JsonException("the stored events are null");

    [JsonSerializable(typeof(IReadOnlyList<ChangeEvent>))]
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault, UseStringEnumConverter = true)]
    private sealed partial class StoredEvents : JsonSerializerContext;
}
