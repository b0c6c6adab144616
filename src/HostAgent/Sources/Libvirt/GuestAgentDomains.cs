namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// The running domains whose XML has a qemu guest agent channel, as the libvirt source last read
/// them (it runs first in every round). The guest-agent source asks only when there are some, so
/// a host without guest agents, the common case, opens no read-write connection at all.
/// </summary>
public sealed class GuestAgentDomains
{
    private volatile IReadOnlySet<string> uuids = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> Uuids => uuids;

    public void Replace(IReadOnlySet<string> running) => uuids = running;
}
