using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Orders address evidence by trust: guest agent, then an unexpired lease, then a REACHABLE
/// neighbour entry, then an address seen on the wire, then the other neighbour states (PERMANENT,
/// DELAY, PROBE, STALE), and last an address only claimed on the wire; within a rank, IPv4 before
/// IPv6, then by address.
/// </summary>
public static class AddressRanking
{
    public static IReadOnlyList<BindingRow> Order(IEnumerable<BindingRow> bindings) =>
        bindings
            .OrderBy(b => Rank(b))
            .ThenBy(b => b.Ip.Contains(':'))
            .ThenBy(b => b.Ip, StringComparer.Ordinal)
            .ThenBy(b => b.ObservedOn, StringComparer.Ordinal)
            .ToList();

    private static int Rank(BindingRow binding) => (AddressSource)binding.Source switch
    {
        AddressSource.GuestAgent => 0,
        AddressSource.Lease => 1,
        AddressSource.Neighbour => (NeighbourState)binding.NeighbourState switch
        {
            NeighbourState.Reachable => 2,
            NeighbourState.Permanent => 4,
            NeighbourState.Delay or NeighbourState.Probe => 5,
            _ => 6,
        },
        AddressSource.Capture => 3,
        AddressSource.Claim => 7,
        _ => 8,
    };
}
