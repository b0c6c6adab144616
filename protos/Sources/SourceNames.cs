namespace DaemonNet.Protos.V1;

/// <summary>
/// The names of the agent's sources, as <c>SourceError.source</c> carries them: one constant per
/// source, used by the agent that names its errors and by the collector that reads them (which
/// facts to keep when a source failed, which drift is unknown, which source an audit cites).
/// </summary>
public static class SourceNames
{
    /// <summary>Domains, their NICs, and libvirt's networks.</summary>
    public const string Libvirt = "libvirt";

    /// <summary>Links, their addresses and counters, and the neighbour tables.</summary>
    public const string Kernel = "kernel";

    /// <summary>libvirt's dnsmasq lease (status) files.</summary>
    public const string Leases = "leases";

    /// <summary>/etc/network/interfaces and the files it sources.</summary>
    public const string Interfaces = "interfaces";

    /// <summary>Addresses that running guests report through the qemu guest agent.</summary>
    public const string GuestAgent = "guest-agent";

    /// <summary>
    /// The kernel read in-process over rtnetlink. An error under this name means the kernel source
    /// fell back to iproute2 (<c>ip -j</c>): its facts are still reported, at the cost of processes.
    /// </summary>
    public const string Rtnetlink = "rtnetlink";

    /// <summary>ARP and neighbour discovery seen on the VM bridges.</summary>
    public const string Capture = "capture";

    /// <summary>
    /// The agent's loop that follows libvirt's events. It states no facts: an error under this name
    /// means changes are seen at the next interval instead of at once.
    /// </summary>
    public const string LibvirtEvents = "libvirt-events";

    /// <summary>The agent's loop that follows the kernel's announcements and the lease folder; like <see cref="LibvirtEvents"/>, no facts.</summary>
    public const string KernelEvents = "kernel-events";
}
