using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// Turns what a commit opened and closed into the events people watch for. A VM whose interval
/// closed and reopened on the same host changed (state or name); one that only opened was
/// defined there, one that only closed undefined. A NIC's tap device is not news. An address binding
/// comes with its evidence, and the VM that has its MAC on the reporting host when there is one.
/// </summary>
public static class WatchEvents
{
    public static List<WatchEvent> From(CommittedFacts facts)
    {
        var events = new List<WatchEvent>();
        if (facts.Returned || facts.IsEmpty)
        {
            return events;
        }
        var at = Timestamp.FromDateTimeOffset(StoredTime.ToInstant(facts.At));
        WatchEvent Event(WatchEventKind kind) => new() { Kind = kind, At = at, Host = facts.Host };

        var closed = facts.DomainsClosed.ToDictionary(d => d.Uuid, StringComparer.Ordinal);
        foreach (var domain in facts.DomainsOpened)
        {
            var e = WithVm(Event(WatchEventKind.VmDefined), domain.Uuid, domain.Name, (DomainState)domain.State);
            if (closed.Remove(domain.Uuid, out var before))
            {
                e.Kind = WatchEventKind.VmChanged;
                e.PreviousState = (DomainState)before.State;
            }
            events.Add(e);
        }
        events.AddRange(closed.Values.Select(d =>
        {
            var e = WithVm(Event(WatchEventKind.VmUndefined), d.Uuid, d.Name, DomainState.Unspecified);
            e.PreviousState = (DomainState)d.State;
            return e;
        }));

        var names = facts.DomainsOpened.Concat(facts.DomainsClosed).GroupBy(d => d.Uuid).ToDictionary(g => g.Key, g => g.First().Name);
        foreach (var (nics, kind) in new[] { (facts.NicsOpened, WatchEventKind.NicAdded), (facts.NicsClosed, WatchEventKind.NicRemoved) })
        {
            events.AddRange(nics.Select(n =>
            {
                var e = WithVm(Event(kind), n.DomainUuid, names.GetValueOrDefault(n.DomainUuid) ?? VmName(facts, n.Mac), DomainState.Unspecified);
                e.Mac = n.Mac;
                e.Nic = new Nic { Mac = n.Mac, Kind = (NicKind)n.Kind, Network = n.Network, Bridge = n.Bridge, TargetDev = n.TargetDev };
                return e;
            }));
        }
        foreach (var (bindings, kind) in new[] { (facts.BindingsOpened, WatchEventKind.AddressBound), (facts.BindingsClosed, WatchEventKind.AddressUnbound) })
        {
            events.AddRange(bindings.Select(b =>
            {
                var e = Event(kind);
                if (facts.VmOfMac.TryGetValue(b.Mac, out var vm))
                {
                    WithVm(e, vm.Uuid, vm.Name, DomainState.Unspecified);
                }
                e.Mac = b.Mac;
                e.Address = new AddressEvidence
                {
                    Ip = b.Ip, Source = (AddressSource)b.Source, ObservedOn = facts.Host, NeighbourState = (NeighbourState)b.NeighbourState,
                    Hostname = b.Hostname, Device = b.Device,
                    LastConfirmed = b.SeenAt is { } seen ? Timestamp.FromDateTimeOffset(StoredTime.ToInstant(seen)) : at,
                    LeaseExpiry = b.LeaseExpiry is { } expiry ? Timestamp.FromDateTimeOffset(StoredTime.ToInstant(expiry)) : null,
                };
                if (kind == WatchEventKind.AddressBound)
                {
                    e.Address.FirstSeen = at;
                }
                return e;
            }));
        }
        return events;
    }

    /// <summary>A host going stale or coming back, which no commit announces: time passing does it.</summary>
    public static WatchEvent Host(string host, bool stale, DateTimeOffset at) =>
        new() { Kind = stale ? WatchEventKind.HostStale : WatchEventKind.HostBack, Host = host, At = Timestamp.FromDateTimeOffset(at) };

    private static string VmName(CommittedFacts facts, string mac) => facts.VmOfMac.TryGetValue(mac, out var vm) ? vm.Name : "";

    private static WatchEvent WithVm(WatchEvent e, string uuid, string name, DomainState state)
    {
        e.VmUuid = uuid;
        e.VmName = name;
        e.State = state;
        return e;
    }
}
