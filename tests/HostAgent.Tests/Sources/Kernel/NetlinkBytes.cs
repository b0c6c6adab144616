using System.Buffers.Binary;
using System.Net;
using System.Text;
using DaemonNet.HostAgent.Sources.Kernel;

namespace DaemonNet.HostAgent.Tests.Sources.Kernel;

/// <summary>rtnetlink messages built byte by byte, laid out as linux/netlink.h and linux/rtnetlink.h define them.</summary>
internal static class NetlinkBytes
{
    public static byte[] Message(ushort type, byte[] header, params byte[][] attributes)
    {
        var body = header.Concat(attributes.SelectMany(a => a)).ToArray();
        var message = new byte[RtnetlinkMessages.HeaderLength + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), RtnetlinkMessages.FlagMulti);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), 1);
        body.CopyTo(message, RtnetlinkMessages.HeaderLength);
        return message;
    }

    /// <summary>One attribute, padded to four bytes.</summary>
    public static byte[] Attribute(ushort type, byte[] value)
    {
        var attribute = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }

    public static byte[] Nested(ushort type, params byte[][] attributes) => Attribute((ushort)(type | 0x8000), attributes.SelectMany(a => a).ToArray());

    public static byte[] Text(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Ip(string address) => IPAddress.Parse(address).GetAddressBytes();

    public static byte[] Mac(string mac) => Convert.FromHexString(mac.Replace(":", "", StringComparison.Ordinal));

    public static byte[] Stats64(ulong rxPackets, ulong txPackets, ulong rxBytes, ulong txBytes)
    {
        var stats = new byte[8 * 24];
        BinaryPrimitives.WriteUInt64LittleEndian(stats, rxPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(stats.AsSpan(8), txPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(stats.AsSpan(16), rxBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(stats.AsSpan(24), txBytes);
        return stats;
    }

    /// <summary>struct ifinfomsg.</summary>
    public static byte[] LinkHeader(int index)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        return header;
    }

    /// <summary>struct ifaddrmsg.</summary>
    public static byte[] AddressHeader(byte family, byte prefixLength, int index)
    {
        var header = new byte[8];
        header[0] = family;
        header[1] = prefixLength;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        return header;
    }

    /// <summary>struct ndmsg.</summary>
    public static byte[] NeighbourHeader(byte family, int index, ushort state, byte flags = 0)
    {
        var header = new byte[12];
        header[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), state);
        header[10] = flags;
        return header;
    }
}
