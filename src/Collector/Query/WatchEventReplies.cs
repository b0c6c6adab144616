using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Query;

/// <summary>A change in the contract's terms: what the Watch stream sends, its NIC and evidence mapped as every other answer maps them.</summary>
public static class WatchEventReplies
{
    public static WatchEvent ToContract(ChangeEvent e)
    {
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
            At = Timestamp.FromDateTimeOffset(StoredTime.ToInstant(e.At)), Host = e.Host, VmUuid = e.VmUuid, VmName = e.VmName,
            State = (DomainState)e.State, PreviousState = (DomainState)e.PreviousState, Mac = e.Mac,
        };
        if (e.Nic is { } nic)
        {
            contract.Nic = InventoryReplies.ToNic(new NicRow(0, nic.DomainUuid, nic.Mac, nic.Kind, nic.Network, nic.Bridge, nic.TargetDev, e.At, null));
        }
        if (e.Binding is { } b)
        {
            // Bound: the binding began with the commit; unbound: it ended then, and when it began is not in the event.
            var bound = e.Kind == ChangeKind.AddressBound;
            contract.Address = InventoryReplies.ToAddress(new BindingRow(0, b.Mac, b.Ip, b.Source, b.Device, b.NeighbourState, b.Hostname, b.ClientId,
                b.LeaseExpiry, b.SeenAt, e.At, bound ? null : e.At, e.Host, e.At), outlivesVm: false);
            if (!bound)
            {
                contract.Address.FirstSeen = null;
            }
        }
        return contract;
    }
}
