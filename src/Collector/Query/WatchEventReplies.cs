using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Query;

/// <summary>A change in the contract's terms: what the Watch stream sends.</summary>
public static class WatchEventReplies
{
    public static WatchEvent ToContract(ChangeEvent e)
    {
        var at = Time(e.At);
        var contract = new WatchEvent
        {
            Kind = e.Kind switch
            {
                ChangeKind.VmDefined => WatchEventKind.VmDefined,
                ChangeKind.VmChanged => WatchEventKind.VmChanged,
                ChangeKind.VmUndefined => WatchEventKind.VmUndefined,
                ChangeKind.NicAdded => WatchEventKind.NicAdded,
                ChangeKind.NicRemoved => WatchEventKind.NicRemoved,
                ChangeKind.AddressBound => WatchEventKind.AddressBound,
                ChangeKind.AddressUnbound => WatchEventKind.AddressUnbound,
                ChangeKind.HostStale => WatchEventKind.HostStale,
                _ => WatchEventKind.HostBack,
            },
            At = at, Host = e.Host, VmUuid = e.VmUuid, VmName = e.VmName, State = (DomainState)e.State, PreviousState = (DomainState)e.PreviousState, Mac = e.Mac,
        };
        if (e.Nic is { } nic)
        {
            contract.Nic = new Nic { Mac = nic.Mac, Kind = (NicKind)nic.Kind, Network = nic.Network, Bridge = nic.Bridge, TargetDev = nic.TargetDev };
        }
        if (e.Binding is { } b)
        {
            contract.Address = new AddressEvidence
            {
                Ip = b.Ip, Source = (AddressSource)b.Source, ObservedOn = e.Host, NeighbourState = (NeighbourState)b.NeighbourState,
                Hostname = b.Hostname, Device = b.Device,
                LastConfirmed = b.SeenAt is { } seen ? Time(seen) : at,
                LeaseExpiry = b.LeaseExpiry is { } expiry ? Time(expiry) : null,
                FirstSeen = e.Kind == ChangeKind.AddressBound ? at : null,
            };
        }
        return contract;
    }

    private static Timestamp Time(long unixMs) => Timestamp.FromDateTimeOffset(StoredTime.ToInstant(unixMs));
}
