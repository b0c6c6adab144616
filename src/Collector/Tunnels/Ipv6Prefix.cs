using System.Net;
using System.Net.Sockets;

namespace DaemonNet.Collector.Tunnels;

/// <summary>IPv6 prefixes as the audit compares them: an address with a length, its host bits cleared.</summary>
public static class Ipv6Prefix
{
    /// <summary>The prefix of "2001:db8:1::1/64" is 2001:db8:1::/64; false for IPv4, link-local and malformed text.</summary>
    public static bool TryParseGlobal(string cidr, out IPNetwork prefix)
    {
        prefix = default;
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6
            || !int.TryParse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var length) || length is < 0 or > 128)
        {
            return false;
        }
        // Global unicast only (2000::/3): link-local and unique-local prefixes are not routed between hosts.
        var bytes = address.GetAddressBytes();
        if ((bytes[0] & 0xE0) != 0x20)
        {
            return false;
        }
        for (var bit = length; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        prefix = new IPNetwork(new IPAddress(bytes), length);
        return true;
    }

    /// <summary>The global IPv6 prefixes among the CIDRs; the others are left out.</summary>
    public static IEnumerable<IPNetwork> Globals(IEnumerable<string> cidrs)
    {
        foreach (var cidr in cidrs)
        {
            if (TryParseGlobal(cidr, out var prefix))
            {
                yield return prefix;
            }
        }
    }

    public static bool Overlap(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    public static bool Within(IPNetwork inner, IPNetwork outer) => outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);
}
