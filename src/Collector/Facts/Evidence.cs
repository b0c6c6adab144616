using DaemonNet.Collector.Answers;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Facts;

/// <summary>Where an address binding's evidence comes from, as the store keeps it (the contract's AddressSource numbers, mapped at the edges).</summary>
public enum EvidenceSource
{
    GuestAgent = 1,
    Lease = 2,
    Neighbour = 3,

    /// <summary>Seen on the wire: ARP or IPv6 neighbour discovery from the MAC on a host bridge.</summary>
    Capture = 4,

    /// <summary>Claimed on the wire (an ARP probe, a duplicate address detection solicitation), not yet in use.</summary>
    Claim = 5,
}

/// <summary>A neighbour entry's state as the store keeps it: the kernel's NUD states (the contract's NeighbourState numbers).</summary>
public enum NeighbourEntryState
{
    Unknown = 0,
    Reachable = 1,
    Stale = 2,
    Delay = 3,
    Probe = 4,
    Permanent = 5,
    NoArp = 6,
    Failed = 7,
    Incomplete = 8,
}

/// <summary>
/// What counts as evidence of an address, how far each kind is trusted, what it is called, and
/// when it was last confirmed: written once here. The answers, the watch stream, alerts and the
/// audit use it, and the CLI and the web page print the words the API carries.
/// </summary>
public static class Evidence
{
    /// <summary>Neighbour states that show a live binding; FAILED and INCOMPLETE show none, NOARP is not about a peer.</summary>
    public static bool Counts(NeighbourEntryState state) => state is NeighbourEntryState.Reachable or NeighbourEntryState.Stale
        or NeighbourEntryState.Delay or NeighbourEntryState.Probe or NeighbourEntryState.Permanent;

    /// <summary>The evidence in the words admins use: "lease", "neighbour reachable", "seen on the wire"…</summary>
    public static string Words(long source, long neighbourState) => (EvidenceSource)source switch
    {
        EvidenceSource.GuestAgent => "guest agent",
        EvidenceSource.Lease => "lease",
        EvidenceSource.Neighbour => $"neighbour {((NeighbourEntryState)neighbourState).ToString().ToLowerInvariant()}",
        EvidenceSource.Capture => "seen on the wire",
        EvidenceSource.Claim => "claimed on the wire (not yet in use)",
        _ => "unknown",
    };

    /// <summary>
    /// Orders address evidence by trust: guest agent, then an unexpired lease, then a REACHABLE
    /// neighbour entry, then an address seen on the wire, then the other neighbour states (PERMANENT,
    /// DELAY, PROBE, STALE), and last an address only claimed on the wire; within a rank, IPv4 before
    /// IPv6, then by address.
    /// </summary>
    public static IReadOnlyList<BindingRow> Ranked(IEnumerable<BindingRow> bindings) =>
        bindings
            .OrderBy(b => Rank(b.Source, b.NeighbourState))
            .ThenBy(b => IpAddressText.IsIpv6(b.Ip))
            .ThenBy(b => b.Ip, StringComparer.Ordinal)
            .ThenBy(b => b.ObservedOn, StringComparer.Ordinal)
            .ToList();

    private static int Rank(long source, long neighbourState) => (EvidenceSource)source switch
    {
        EvidenceSource.GuestAgent => 0,
        EvidenceSource.Lease => 1,
        EvidenceSource.Neighbour => (NeighbourEntryState)neighbourState switch
        {
            NeighbourEntryState.Reachable => 2,
            NeighbourEntryState.Permanent => 4,
            NeighbourEntryState.Delay or NeighbourEntryState.Probe => 5,
            _ => 6,
        },
        EvidenceSource.Capture => 3,
        EvidenceSource.Claim => 7,
        _ => 8,
    };

    /// <summary>
    /// When a binding was last confirmed. What the wire showed keeps when it was last seen there.
    /// Otherwise an open binding is confirmed by every report of the host that observes it, so its
    /// last confirmation is that host's last report; an ended one keeps the last report that
    /// showed it (or, if none was kept, its start).
    /// </summary>
    public static long LastConfirmed(long? lastSeen, long validFrom, long? validTo, long observerLastReport) =>
        lastSeen ?? (validTo is null ? observerLastReport : validFrom);
}
