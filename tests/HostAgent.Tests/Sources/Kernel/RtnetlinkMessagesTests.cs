using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;
using static DaemonNet.HostAgent.Tests.Sources.Kernel.NetlinkBytes;

namespace DaemonNet.HostAgent.Tests.Sources.Kernel;

public class RtnetlinkMessagesTests
{
    private const byte Inet = 2, Inet6 = 10;
    private const byte Up = 6, Down = 2;

    private static readonly byte[] LinkDump =
    [
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(1),
            Attribute(3, Text("lo")), Attribute(1, Mac("00:00:00:00:00:00")), Attribute(4, U32(65536)), Attribute(16, [0]),
            Attribute(23, Stats64(5, 5, 300, 300))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(2),
            Attribute(3, Text("br0")), Attribute(1, Mac("52:54:00:AA:00:01")), Attribute(4, U32(1500)), Attribute(16, [Up]),
            Nested(18, Attribute(1, Text("bridge"))), Attribute(23, Stats64(10, 20, 1000, 2000))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(3),
            Attribute(3, Text("vnet0")), Attribute(1, Mac("fe:54:00:aa:00:02")), Attribute(4, U32(1500)), Attribute(10, U32(2)),
            Attribute(16, [Up]), Nested(18, Attribute(1, Text("tun")))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(4),
            Attribute(3, Text("he-ipv6")), Attribute(1, Ip("203.0.113.10")), Attribute(4, U32(1480)), Attribute(16, [0]),
            Nested(18, Attribute(1, Text("sit")), Nested(2, Attribute(2, Ip("203.0.113.10")), Attribute(3, Ip("216.66.80.26")), Attribute(4, [255]))),
            Attribute(23, Stats64(1893220, 1204551, 18446744073709551000, 734002311))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(5),
            Attribute(3, Text("ip6tnl1")), Attribute(4, U32(1452)), Attribute(16, [Down]),
            Nested(18, Attribute(1, Text("ip6tnl")), Nested(2, Attribute(2, Ip("2001:db8:ffff::1")), Attribute(3, Ip("2001:db8:ffff::2")), Attribute(4, [64])))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(6),
            Attribute(3, Text("gre0")), Attribute(16, [0]),
            Nested(18, Attribute(1, Text("gre")), Nested(2, Attribute(6, Ip("0.0.0.0")), Attribute(7, Ip("0.0.0.0")))),
            Attribute(23, Stats64(0, 0, 0, 0))),
        .. Message(RtnetlinkMessages.NewLink, LinkHeader(7), Attribute(3, Text("wg0")), Attribute(16, [0]), Nested(18, Attribute(1, Text("wireguard")))),
        .. Message(RtnetlinkMessages.Done, U32(0)),
    ];

    private static readonly byte[] AddressDump =
    [
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet, 8, 1), Attribute(1, Ip("127.0.0.1")), Attribute(2, Ip("127.0.0.1"))),
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet, 24, 2), Attribute(1, Ip("192.0.2.1")), Attribute(2, Ip("192.0.2.1"))),
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet, 32, 4), Attribute(1, Ip("10.0.0.2")), Attribute(2, Ip("10.0.0.1"))),
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet6, 64, 2), Attribute(1, Ip("2001:db8::1"))),
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet6, 64, 4), Attribute(1, Ip("2001:470:1f0a:a6f::2"))),
        .. Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet6, 64, 99), Attribute(1, Ip("2001:db8:99::1"))),
    ];

    private static readonly byte[] NeighbourDump =
    [
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x02), Attribute(1, Ip("192.0.2.10")), Attribute(2, Mac("52:54:00:aa:00:02"))),
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet6, 2, 0x04), Attribute(1, Ip("2001:db8::10")), Attribute(2, Mac("52:54:00:aa:00:02"))),
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x01), Attribute(1, Ip("192.0.2.11"))),
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x80), Attribute(1, Ip("192.0.2.12")), Attribute(2, Mac("52:54:00:aa:00:12"))),
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x20), Attribute(1, Ip("192.0.2.13"))),
        // Left out, as ip neigh show leaves them out: only NOARP, and no state at all.
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet6, 4, 0x40), Attribute(1, Ip("ff02::1"))),
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x00), Attribute(1, Ip("192.0.2.14"))),
        // Shown whatever its state: a proxy entry.
        .. Message(RtnetlinkMessages.NewNeighbour, NeighbourHeader(Inet, 2, 0x00, 0x08), Attribute(1, Ip("192.0.2.15"))),
    ];

    private static KernelTables ReadAll() =>
        RtnetlinkMessages.Read(RtnetlinkMessages.Split(LinkDump), RtnetlinkMessages.Split(AddressDump), RtnetlinkMessages.Split(NeighbourDump));

    [Fact]
    public void Read_LinksBuiltByteByByte_ReadAsIpJsonReadsThem()
    {
        var links = ReadAll().Links;

        Assert.Equal(["lo", "br0", "vnet0", "he-ipv6", "ip6tnl1", "gre0", "wg0"], links.Select(l => l.Name), StringComparer.Ordinal);
        var bridge = links[1];
        Assert.Equal(new Link { Name = "br0", Kind = "bridge", Mac = "52:54:00:aa:00:01", Operstate = "UP", Mtu = 1500, Addresses = { "192.0.2.1/24", "2001:db8::1/64" } }, bridge);
        Assert.Equal(new Link { Name = "vnet0", Kind = "tun", Mac = "fe:54:00:aa:00:02", Master = "br0", Operstate = "UP", Mtu = 1500 }, links[2]);
        var he = links[3];
        Assert.Equal(("sit", "", "UNKNOWN", 1480u), (he.Kind, he.Mac, he.Operstate, he.Mtu));
        Assert.Equal(new TunnelEndpoints { Local = "203.0.113.10", Remote = "216.66.80.26", Ttl = 255 }, he.Tunnel);
        Assert.Equal(["10.0.0.1/32", "2001:470:1f0a:a6f::2/64"], he.Addresses);
        Assert.Equal(new TunnelEndpoints { Local = "2001:db8:ffff::1", Remote = "2001:db8:ffff::2", Ttl = 64 }, links[4].Tunnel);
        Assert.Equal("DOWN", links[4].Operstate);
        Assert.Equal(new TunnelEndpoints(), links[5].Tunnel);
        Assert.Equal(new TunnelEndpoints(), links[6].Tunnel);
        Assert.Null(links[0].Tunnel);
        Assert.Equal("00:00:00:00:00:00", links[0].Mac);
    }

    [Fact]
    public void Read_Stats64_CountsBridgesAndTunnelsOnly_WithTheirIndex()
    {
        var counters = ReadAll().Counters;

        Assert.Equal(["br0", "he-ipv6", "gre0"], counters.Select(c => c.Link), StringComparer.Ordinal);
        Assert.Equal(new LinkCounters { Link = "he-ipv6", Ifindex = 4, RxBytes = 18446744073709551000, TxBytes = 734002311, RxPackets = 1893220, TxPackets = 1204551 },
            counters[1]);
    }

    [Fact]
    public void Read_Neighbours_HaveTheirDeviceAndFirstState_AndLeaveOutWhatIpLeavesOut()
    {
        var neighbours = ReadAll().Neighbours;

        Assert.Equal(
        [
            new Neighbour { Ip = "192.0.2.10", Mac = "52:54:00:aa:00:02", Device = "br0", State = NeighbourState.Reachable },
            new Neighbour { Ip = "2001:db8::10", Mac = "52:54:00:aa:00:02", Device = "br0", State = NeighbourState.Stale },
            new Neighbour { Ip = "192.0.2.11", Device = "br0", State = NeighbourState.Incomplete },
            new Neighbour { Ip = "192.0.2.12", Mac = "52:54:00:aa:00:12", Device = "br0", State = NeighbourState.Permanent },
            new Neighbour { Ip = "192.0.2.13", Device = "br0", State = NeighbourState.Failed },
            new Neighbour { Ip = "192.0.2.15", Device = "br0", State = NeighbourState.Unspecified },
        ], neighbours);
    }

    [Fact]
    public void Split_MessagesOfUnalignedLength_AreFoundAfterTheirPadding()
    {
        byte[] datagram = [.. Message(RtnetlinkMessages.NewLink, [1, 2, 3]), 0, .. Message(RtnetlinkMessages.Done, U32(0))];

        var messages = RtnetlinkMessages.Split(datagram);

        Assert.Equal([RtnetlinkMessages.NewLink, RtnetlinkMessages.Done], messages.Select(m => m.Type));
        Assert.Equal([1, 2, 3], messages[0].Body);
    }

    [Theory]
    [InlineData(5, "RTM_NEWADDR: IFA_ADDRESS has 5 bytes")]
    [InlineData(2, "RTM_NEWADDR: IFA_ADDRESS has 2 bytes")]
    public void Read_AddressOfAnOddLength_SaysWhichMessageAndField(int length, string expected)
    {
        var address = Message(RtnetlinkMessages.NewAddress, AddressHeader(Inet, 24, 2), Attribute(1, new byte[length]));

        var error = Assert.Throws<FormatException>(() => RtnetlinkMessages.Read([], RtnetlinkMessages.Split(address), []));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LinkWithoutName_SaysWhichLink()
    {
        var link = Message(RtnetlinkMessages.NewLink, LinkHeader(9), Attribute(4, U32(1500)));

        var error = Assert.Throws<FormatException>(() => RtnetlinkMessages.Read(RtnetlinkMessages.Split(link), [], []));

        Assert.Equal("RTM_NEWLINK: link 9 has no IFLA_IFNAME", error.Message);
    }

    /// <summary>
    /// The parser's promise: whatever a datagram holds, the answer is tables or a FormatException,
    /// never another exception. Every prefix of each dump, and every byte of it set to 0, 3, 0x7F
    /// and 0xFF in turn.
    /// </summary>
    [Fact]
    public void Read_EveryTruncationAndEveryCorruptedByte_IsTablesOrAFormatException()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (dump, which) in new[] { (LinkDump, 0), (AddressDump, 1), (NeighbourDump, 2) })
        {
            var variants = Enumerable.Range(0, dump.Length).Select(n => dump[..n])
                .Concat(Enumerable.Range(0, dump.Length).SelectMany(i => new byte[] { 0, 3, 0x7F, 0xFF }.Select(value =>
                {
                    var corrupted = (byte[])dump.Clone();
                    corrupted[i] = value;
                    return corrupted;
                })));
            foreach (var variant in variants)
            {
                var outcome = Outcome(() =>
                {
                    var parts = new[] { LinkDump, AddressDump, NeighbourDump };
                    parts[which] = variant;
                    RtnetlinkMessages.Read(RtnetlinkMessages.Split(parts[0]), RtnetlinkMessages.Split(parts[1]), RtnetlinkMessages.Split(parts[2]));
                });
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }

        Assert.Equal(["FormatException", "tables"], outcomes.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static string Outcome(Action read)
    {
        try
        {
            read();
            return "tables";
        }
        catch (FormatException)
        {
            return "FormatException";
        }
    }
}
