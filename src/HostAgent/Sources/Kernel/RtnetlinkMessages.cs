using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>One netlink message: its type, flags and the body after the 16-byte header.</summary>
public readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, byte[] Body);

/// <summary>What the kernel source reports: links with their addresses, the counters of tunnels and bridges, and the neighbour tables.</summary>
public sealed record KernelTables(List<Link> Links, List<LinkCounters> Counters, List<Neighbour> Neighbours);

/// <summary>
/// Reads the kernel's rtnetlink dumps (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWNEIGH messages, see
/// rtnetlink(7)) into the same links, counters and neighbours that <see cref="IpJson"/> reads from
/// <c>ip -j -s -d addr show</c> and <c>ip -j neigh show</c>, field for field, so that either way
/// gives the same snapshot. Anything cut short or out of bounds is a <see cref="FormatException"/>
/// that names the message and the field.
/// </summary>
public static class RtnetlinkMessages
{
    public const ushort NoOperation = 1, Error = 2, Done = 3;
    public const ushort NewLink = 16, GetLink = 18, NewAddress = 20, GetAddress = 22, NewNeighbour = 28, GetNeighbour = 30;
    public const ushort FlagMulti = 0x2, FlagDumpInterrupted = 0x10;
    public const int HeaderLength = 16;

    private const int LinkHeaderLength = 16, AddressHeaderLength = 8, NeighbourHeaderLength = 12;
    private const ushort LinkAddress = 1, LinkName = 3, LinkMtu = 4, LinkMaster = 10, LinkOperstate = 16, LinkInfo = 18, LinkStats64 = 23;
    private const ushort InfoKind = 1, InfoData = 2;
    private const ushort AddressAddress = 1, AddressLocal = 2;
    private const ushort NeighbourDestination = 1, NeighbourLinkAddress = 2;
    private const byte InetFamily = 2, Inet6Family = 10;
    private const ushort NudNoarp = 0x40;
    private const byte NeighbourProxy = 0x08, NeighbourExternallyLearned = 0x10;

    private static readonly string[] Operstates = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

    /// <summary>Splits one datagram into its messages (the kernel packs several into one).</summary>
    public static List<NetlinkMessage> Split(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (offset < datagram.Length)
        {
            var rest = datagram[offset..];
            if (rest.Length < HeaderLength)
            {
                throw new FormatException($"rtnetlink: a message header is cut short ({rest.Length} of {HeaderLength} bytes)");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            if (length < HeaderLength || length > rest.Length)
            {
                throw new FormatException($"rtnetlink: a message claims {length} bytes where {rest.Length} remain");
            }
            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(rest[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(rest[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]),
                rest[HeaderLength..(int)length].ToArray()));
            offset += Math.Min(Align((int)length), rest.Length);
        }
        return messages;
    }

    /// <summary>
    /// Links with their addresses and the counters of tunnels and bridges, as
    /// <c>ip -j -s -d addr show</c> lists them, and the IPv4 and IPv6 neighbour tables as
    /// <c>ip -j neigh show</c> lists them.
    /// </summary>
    public static KernelTables Read(IEnumerable<NetlinkMessage> linkMessages, IEnumerable<NetlinkMessage> addressMessages, IEnumerable<NetlinkMessage> neighbourMessages)
    {
        var byIndex = new Dictionary<int, (Link Link, int Master)>();
        var order = new List<int>();
        var counters = new List<LinkCounters>();
        foreach (var body in linkMessages.Where(m => m.Type == NewLink).Select(m => m.Body))
        {
            var (index, link, master, stats) = ReadLink(body);
            if (byIndex.TryAdd(index, (link, master)))
            {
                order.Add(index);
            }
            if (stats is { } counted && LinkKinds.IsCounted(link.Kind))
            {
                counted.Ifindex = (uint)index;
                counters.Add(counted);
            }
        }
        foreach (var body in addressMessages.Where(m => m.Type == NewAddress).Select(m => m.Body))
        {
            var (index, address) = ReadAddress(body);
            if (byIndex.TryGetValue(index, out var owner))
            {
                owner.Link.Addresses.Add(address);
            }
        }
        foreach (var (link, master) in byIndex.Values.Where(l => l.Master != 0))
        {
            link.Master = byIndex.TryGetValue(master, out var bridge) ? bridge.Link.Name : "";
        }
        var neighbours = new List<Neighbour>();
        foreach (var body in neighbourMessages.Where(m => m.Type == NewNeighbour).Select(m => m.Body))
        {
            if (ReadNeighbour(body, byIndex) is { } neighbour)
            {
                neighbours.Add(neighbour);
            }
        }
        return new KernelTables(order.Select(i => byIndex[i].Link).ToList(), counters, neighbours);
    }

    private static (int Index, Link Link, int Master, LinkCounters? Stats) ReadLink(byte[] body)
    {
        const string What = "RTM_NEWLINK";
        Require(body, LinkHeaderLength, What);
        var index = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
        var link = new Link();
        var master = 0;
        LinkCounters? stats = null;
        ReadOnlySpan<byte> tunnelData = default;
        var attributes = new Attributes(body.AsSpan(LinkHeaderLength), What);
        while (attributes.Next())
        {
            var value = attributes.Value;
            switch (attributes.Type)
            {
                case LinkName:
                    link.Name = Text(value);
                    break;
                case LinkAddress:
                    link.Mac = Mac(value);
                    break;
                case LinkMtu:
                    link.Mtu = UInt32(value, What, "IFLA_MTU");
                    break;
                case LinkMaster:
                    master = (int)UInt32(value, What, "IFLA_MASTER");
                    break;
                case LinkOperstate:
                    link.Operstate = value.Length == 1 && value[0] < Operstates.Length ? Operstates[value[0]] : "UNKNOWN";
                    break;
                case LinkInfo:
                    var info = new Attributes(value, $"{What} IFLA_LINKINFO");
                    while (info.Next())
                    {
                        if (info.Type == InfoKind)
                        {
                            link.Kind = Text(info.Value);
                        }
                        else if (info.Type == InfoData)
                        {
                            tunnelData = info.Value;
                        }
                    }
                    break;
                case LinkStats64:
                    if (value.Length < 32)
                    {
                        throw new FormatException($"{What}: IFLA_STATS64 has {value.Length} bytes, fewer than the 32 of its first four counters");
                    }
                    stats = new LinkCounters
                    {
                        RxPackets = BinaryPrimitives.ReadUInt64LittleEndian(value),
                        TxPackets = BinaryPrimitives.ReadUInt64LittleEndian(value[8..]),
                        RxBytes = BinaryPrimitives.ReadUInt64LittleEndian(value[16..]),
                        TxBytes = BinaryPrimitives.ReadUInt64LittleEndian(value[24..]),
                    };
                    break;
            }
        }
        if (link.Name.Length == 0)
        {
            throw new FormatException($"{What}: link {index} has no IFLA_IFNAME");
        }
        if (LinkKinds.IsTunnel(link.Kind))
        {
            link.Tunnel = RtnetlinkTunnels.Read(link.Kind, tunnelData);
        }
        if (stats is not null)
        {
            stats.Link = link.Name;
        }
        return (index, link, master, stats);
    }

    private static (int Index, string Address) ReadAddress(byte[] body)
    {
        const string What = "RTM_NEWADDR";
        Require(body, AddressHeaderLength, What);
        var prefixLength = body[1];
        var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(4));
        IPAddress? address = null, local = null;
        var attributes = new Attributes(body.AsSpan(AddressHeaderLength), What);
        while (attributes.Next())
        {
            if (attributes.Type == AddressAddress)
            {
                address = Ip(attributes.Value, What, "IFA_ADDRESS");
            }
            else if (attributes.Type == AddressLocal)
            {
                local = Ip(attributes.Value, What, "IFA_LOCAL");
            }
        }
        // Like iproute2's "local": the address of this end, which only point-to-point links tell apart from the peer's.
        var shown = local ?? address ?? throw new FormatException($"{What}: an address of link {index} has neither IFA_LOCAL nor IFA_ADDRESS");
        return (index, $"{shown}/{prefixLength}");
    }

    /// <summary>
    /// One neighbour entry; null for one iproute2 leaves out by default (only NOARP, or in no
    /// state at all) and for families other than IPv4 and IPv6.
    /// </summary>
    private static Neighbour? ReadNeighbour(byte[] body, Dictionary<int, (Link Link, int Master)> links)
    {
        const string What = "RTM_NEWNEIGH";
        Require(body, NeighbourHeaderLength, What);
        var family = body[0];
        var index = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
        var state = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(8));
        var flags = body[10];
        var shown = (state & ~NudNoarp & 0xFF) != 0 || (flags & (NeighbourProxy | NeighbourExternallyLearned)) != 0;
        if (family is not (InetFamily or Inet6Family) || !shown)
        {
            return null;
        }
        IPAddress? destination = null;
        var mac = "";
        var attributes = new Attributes(body.AsSpan(NeighbourHeaderLength), What);
        while (attributes.Next())
        {
            if (attributes.Type == NeighbourDestination)
            {
                destination = Ip(attributes.Value, What, "NDA_DST");
            }
            else if (attributes.Type == NeighbourLinkAddress)
            {
                mac = Mac(attributes.Value);
            }
        }
        return new Neighbour
        {
            Ip = (destination ?? throw new FormatException($"{What}: an entry on link {index} has no NDA_DST")).ToString(),
            Mac = mac,
            Device = links.TryGetValue(index, out var device) ? device.Link.Name : "",
            State = State(state),
        };
    }

    // iproute2 lists the state bits from the lowest; the first one the contract knows is the state.
    private static NeighbourState State(ushort bits) => (bits & -bits) switch
    {
        0x01 => NeighbourState.Incomplete,
        0x02 => NeighbourState.Reachable,
        0x04 => NeighbourState.Stale,
        0x08 => NeighbourState.Delay,
        0x10 => NeighbourState.Probe,
        0x20 => NeighbourState.Failed,
        0x40 => NeighbourState.Noarp,
        0x80 => NeighbourState.Permanent,
        _ => NeighbourState.Unspecified,
    };

    internal static int Align(int length) => (length + 3) & ~3;

    private static void Require(byte[] body, int length, string what)
    {
        if (body.Length < length)
        {
            throw new FormatException($"{what}: the body has {body.Length} bytes, fewer than the {length} of its fixed header");
        }
    }

    internal static uint UInt32(ReadOnlySpan<byte> value, string what, string field) => value.Length == 4
        ? BinaryPrimitives.ReadUInt32LittleEndian(value)
        : throw new FormatException($"{what}: {field} has {value.Length} bytes, not 4");

    internal static IPAddress Ip(ReadOnlySpan<byte> value, string what, string field) => value.Length is 4 or 16
        ? new IPAddress(value)
        : throw new FormatException($"{what}: {field} has {value.Length} bytes, which is neither an IPv4 nor an IPv6 address");

    /// <summary>An Ethernet address as the contract writes it; empty for other link-layer addresses (a sit tunnel's is its IPv4 address).</summary>
    private static string Mac(ReadOnlySpan<byte> value)
    {
        if (value.Length != 6)
        {
            return "";
        }
        return string.Create(17, value.ToArray(), static (text, bytes) =>
        {
            for (var i = 0; i < 6; i++)
            {
                bytes[i].TryFormat(text[(i * 3)..], out _, "x2", CultureInfo.InvariantCulture);
                if (i < 5)
                {
                    text[i * 3 + 2] = ':';
                }
            }
        });
    }

    private static string Text(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? value[..end] : value);
    }
}

/// <summary>The attributes (struct rtattr / nlattr) of a message or of a nested attribute, one by one.</summary>
internal ref struct Attributes
{
    private ReadOnlySpan<byte> rest;
    private readonly string what;

    public Attributes(ReadOnlySpan<byte> data, string what)
    {
        rest = data;
        this.what = what;
    }

    public ushort Type { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    public bool Next()
    {
        if (rest.Length == 0)
        {
            return false;
        }
        if (rest.Length < 4)
        {
            throw new FormatException($"{what}: an attribute header is cut short ({rest.Length} of 4 bytes)");
        }
        var length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
        if (length < 4 || length > rest.Length)
        {
            throw new FormatException($"{what}: an attribute claims {length} bytes where {rest.Length} remain");
        }
        // The top two bits flag nested and network-byte-order attributes; the type is the rest.
        Type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(rest[2..]) & 0x3FFF);
        Value = rest[4..length];
        rest = rest[Math.Min(RtnetlinkMessages.Align(length), rest.Length)..];
        return true;
    }
}
