using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Ansible;

/// <summary>
/// Which of a VM's current addresses Ansible connects to (<c>ansible_host</c>): the preferred
/// family first (the other only when there is none), then the preferred networks in their order,
/// then the preferred evidence sources in theirs, then the collector's own ranking of evidence.
/// </summary>
internal sealed record AddressPreference(string Family, IReadOnlyList<string> Networks, IReadOnlyList<string> Sources)
{
    /// <summary>IPv4 first; any network; the collector's order of evidence (guest agent, lease, neighbour, capture, claim).</summary>
    public static readonly AddressPreference Default = new("inet", [], []);

    /// <summary>The evidence sources by the names <c>--prefer-source</c> takes.</summary>
    public static readonly IReadOnlyDictionary<string, AddressSource> SourceNames = new Dictionary<string, AddressSource>(StringComparer.Ordinal)
    {
        ["guest-agent"] = AddressSource.GuestAgent,
        ["lease"] = AddressSource.Lease,
        ["neighbour"] = AddressSource.Neighbour,
        ["capture"] = AddressSource.Capture,
        ["claim"] = AddressSource.Claim,
    };

    /// <summary>The address to connect to, or null when the VM holds none now.</summary>
    public string? Choose(VmLocation vm) => vm.Nics
        .SelectMany(n => n.Addresses.Where(a => !a.OutlivesVm).Select((a, rank) => (Nic: n.Nic, Address: a, Rank: rank)))
        .OrderBy(c => IpAddressText.IsIpv6(c.Address.Ip) == (Family == "inet6") ? 0 : 1)
        .ThenBy(c => Position(Networks, NetworkOf(c.Nic)))
        .ThenBy(c => Position(Sources, SourceNames.FirstOrDefault(s => s.Value == c.Address.Source).Key ?? ""))
        .ThenBy(c => c.Rank)
        .Select(c => c.Address.Ip)
        .FirstOrDefault();

    public static string NetworkOf(Nic nic) => NicNetworks.NameOf(nic.Network, nic.Bridge);

    private static int Position(IReadOnlyList<string> preferred, string value)
    {
        for (var i = 0; i < preferred.Count; i++)
        {
            if (string.Equals(preferred[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return preferred.Count;
    }
}
