using System.Buffers.Binary;
using System.Net;

namespace DaemonNet.HostAgent.Sources.Capture;

/// <summary>One MAC announcing one address: held, or only claimed (an ARP probe, duplicate address detection).</summary>
public readonly record struct Sighting(string Mac, string Ip, bool Claim);

/// <summary>
/// Reads the one binding an Ethernet frame announces, if any: ARP requests, replies and gratuitous
/// ARP (the sender's MAC and address), ARP probes (a claim of the target address), IPv6 neighbour
/// solicitations (the sender's address; from :: a duplicate address detection claim of the
/// target) and advertisements (the target, with the target link-layer option's MAC). Anything
/// malformed, truncated or from a group MAC announces nothing.
/// </summary>
public static class NeighbourFrames
{
    private const int EthernetHeader = 14;
    private const ushort Arp = 0x0806;
    private const ushort Ipv6 = 0x86DD;
    private const byte Icmpv6 = 58;
    private const byte NeighbourSolicitation = 135;
    private const byte NeighbourAdvertisement = 136;

    public static bool TryParse(ReadOnlySpan<byte> frame, out Sighting sighting)
    {
        sighting = default;
        if (frame.Length < EthernetHeader)
        {
            return false;
        }
        return BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) switch
        {
            Arp => TryArp(frame[EthernetHeader..], out sighting),
            Ipv6 => TryNeighbourDiscovery(frame, out sighting),
            _ => false,
        };
    }

    private static bool TryArp(ReadOnlySpan<byte> arp, out Sighting sighting)
    {
        sighting = default;
        // Ethernet (1) and IPv4 (0x0800), 6-byte and 4-byte addresses.
        if (arp.Length < 28 || BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != 0x0800
            || arp[4] != 6 || arp[5] != 4)
        {
            return false;
        }
        var senderMac = arp.Slice(8, 6);
        var senderIp = arp.Slice(14, 4);
        var targetIp = arp.Slice(24, 4);
        if (!IsStationMac(senderMac))
        {
            return false;
        }
        var probe = BinaryPrimitives.ReadUInt32BigEndian(senderIp) == 0;
        var ip = new IPAddress(probe ? targetIp : senderIp);
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        sighting = new Sighting(Mac(senderMac), ip.ToString(), probe);
        return true;
    }

    private static bool TryNeighbourDiscovery(ReadOnlySpan<byte> frame, out Sighting sighting)
    {
        sighting = default;
        const int Ip = EthernetHeader;
        const int Icmp = Ip + 40;
        // Neighbour discovery is sent with hop limit 255 and no extension headers; a target follows the 8-byte ICMPv6 header.
        if (frame.Length < Icmp + 24 || frame[Ip + 6] != Icmpv6 || frame[Ip + 7] != 255 || frame[Icmp + 1] != 0)
        {
            return false;
        }
        var type = frame[Icmp];
        if (type is not (NeighbourSolicitation or NeighbourAdvertisement))
        {
            return false;
        }
        var source = new IPAddress(frame.Slice(Ip + 8, 16));
        var target = new IPAddress(frame.Slice(Icmp + 8, 16));
        var option = LinkLayerOption(frame[(Icmp + 24)..], type == NeighbourSolicitation ? (byte)1 : (byte)2);
        var mac = option.IsEmpty ? frame.Slice(6, 6) : option;
        if (!IsStationMac(mac))
        {
            return false;
        }
        if (type == NeighbourAdvertisement)
        {
            return Found(mac, target, claim: false, out sighting);
        }
        return source.Equals(IPAddress.IPv6Any)
            ? Found(frame.Slice(6, 6), target, claim: true, out sighting)
            : Found(mac, source, claim: false, out sighting);
    }

    private static bool Found(ReadOnlySpan<byte> mac, IPAddress ip, bool claim, out Sighting sighting)
    {
        sighting = default;
        if (ip.Equals(IPAddress.IPv6Any) || ip.IsIPv6Multicast || !IsStationMac(mac))
        {
            return false;
        }
        sighting = new Sighting(Mac(mac), ip.ToString(), claim);
        return true;
    }

    /// <summary>The source (1) or target (2) link-layer address option's MAC; options are 8-byte units with a length.</summary>
    private static ReadOnlySpan<byte> LinkLayerOption(ReadOnlySpan<byte> options, byte wanted)
    {
        while (options.Length >= 8)
        {
            var length = options[1] * 8;
            if (length == 0 || length > options.Length)
            {
                return default;
            }
            if (options[0] == wanted && length >= 8)
            {
                return options.Slice(2, 6);
            }
            options = options[length..];
        }
        return default;
    }

    // A station's MAC: not a group address (the I/G bit), not all zeros.
    private static bool IsStationMac(ReadOnlySpan<byte> mac) => mac.Length == 6 && (mac[0] & 1) == 0 && mac.IndexOfAnyExcept((byte)0) >= 0;

    private static string Mac(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
