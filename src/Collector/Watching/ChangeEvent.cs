using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Watching;

/// <summary>What kind of change a <see cref="ChangeEvent"/> is.</summary>
public enum ChangeKind
{
    VmDefined = 1,
    VmChanged,
    VmUndefined,
    NicAdded,
    NicRemoved,
    AddressBound,
    AddressUnbound,
    HostStale,
    HostBack,
}

/// <summary>
/// One change that people watch for and alerts follow, in the collector's own terms: what a commit
/// opened or closed (<see cref="ChangeEvents.From"/>), or a host going stale or coming back. The
/// watch stream maps it to the contract at the edge; the alert outbox and the change log that
/// collectors sharing a database read keep it as JSON (<see cref="ChangeEvents.Encode"/>), so a
/// change of the contract never touches what is stored.
/// </summary>
/// <param name="At">Unix milliseconds, the collector's clock: the commit's time.</param>
public sealed record ChangeEvent(ChangeKind Kind, string Host, long At)
{
    public string VmUuid { get; init; } = "";

    public string VmName { get; init; } = "";

    /// <summary>The VM's state now (libvirt's state number, as stored); 0 when not about a VM's state.</summary>
    public long State { get; init; }

    /// <summary>The VM's state before a change or an undefinition.</summary>
    public long PreviousState { get; init; }

    public string Mac { get; init; } = "";

    /// <summary>The NIC added or removed.</summary>
    public NicFact? Nic { get; init; }

    /// <summary>The address binding that opened or ended, with its evidence.</summary>
    public BindingFact? Binding { get; init; }
}
