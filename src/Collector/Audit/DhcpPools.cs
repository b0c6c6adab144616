using System.Net;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Audit;

/// <summary>One IPv4 DHCP range of a libvirt network on a host, and how many of its addresses are under unexpired leases.</summary>
public sealed record PoolUsage(long HostId, NetworkRow Network, IPAddress Start, IPAddress End, long Size, int Leased)
{
    public double Share => (double)Leased / Size;
}

/// <summary>How full each network's DHCP ranges are: the pool-exhaustion rule and the pool metrics read it from here.</summary>
public static class DhcpPools
{
    public static IEnumerable<PoolUsage> Of(ClusterState state)
    {
        var leased = state.Bindings.Where(b => (EvidenceSource)b.Source == EvidenceSource.Lease)
            .ToLookup(b => (b.HostId, b.Device), b => b.Ip);
        foreach (var network in state.Networks)
        {
            foreach (var (start, end, size) in Ranges(network))
            {
                yield return new PoolUsage(network.HostId, network, start, end, size,
                    leased[(network.HostId, network.Bridge)].Distinct(StringComparer.Ordinal).Count(ip => InRange(ip, start, end)));
            }
        }
    }

    private static IEnumerable<(IPAddress Start, IPAddress End, long Size)> Ranges(NetworkRow network)
    {
        foreach (var range in network.Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => a.StartsWith("dhcp=", StringComparison.Ordinal)))
        {
            if (range[5..].Split('-') is [var first, var last] && IPAddress.TryParse(first, out var start) && IPAddress.TryParse(last, out var end)
                && start.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && end.AddressFamily == start.AddressFamily && Number(end) >= Number(start))
            {
                yield return (start, end, Number(end) - Number(start) + 1);
            }
        }
    }

    private static long Number(IPAddress ipv4) => ipv4.GetAddressBytes().Aggregate(0L, (n, b) => (n << 8) | b);

    private static bool InRange(string ip, IPAddress start, IPAddress end) =>
        IPAddress.TryParse(ip, out var address) && address.AddressFamily == start.AddressFamily
        && Number(address) >= Number(start) && Number(address) <= Number(end);
}
