using System.Net;
using DaemonNet.HostAgent.Sources.Capture;

namespace DaemonNet.HostAgent.Tests.Sources.Capture;

/// <summary>Frames as they cross a bridge, built byte by byte from the ARP and neighbour discovery layouts (RFC 826, RFC 4861).</summary>
public class NeighbourFramesTests
{
    private const string VmMac = "52:54:00:ab:01:02";

    private static byte[] Mac(string text) => text.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();

    private static byte[] Arp(ushort operation, string senderMac, string senderIp, string targetIp) =>
    [
        .. Mac("ff:ff:ff:ff:ff:ff"), .. Mac(senderMac), 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6, 4, (byte)(operation >> 8), (byte)operation,
        .. Mac(senderMac), .. IPAddress.Parse(senderIp).GetAddressBytes(),
        .. new byte[6], .. IPAddress.Parse(targetIp).GetAddressBytes(),
    ];

    private static byte[] Ndp(byte type, string ethernetSource, string source, string target, byte option = 0, string? optionMac = null, byte hopLimit = 255)
    {
        byte[] options = option == 0 ? [] : [option, 1, .. Mac(optionMac!)];
        byte[] icmp = [type, 0, 0, 0, 0, 0, 0, 0, .. IPAddress.Parse(target).GetAddressBytes(), .. options];
        return
        [
            .. Mac("33:33:ff:00:00:50"), .. Mac(ethernetSource), 0x86, 0xDD,
            0x60, 0, 0, 0, (byte)(icmp.Length >> 8), (byte)icmp.Length, 58, hopLimit,
            .. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse("ff02::1:ff00:50").GetAddressBytes(), .. icmp,
        ];
    }

    public static TheoryData<string, byte[], Sighting> Announcements => new()
    {
        { "ARP request", Arp(1, VmMac, "10.77.0.50", "10.77.0.1"), new(VmMac, "10.77.0.50", false) },
        { "ARP reply", Arp(2, VmMac, "10.77.0.50", "10.77.0.1"), new(VmMac, "10.77.0.50", false) },
        { "gratuitous ARP", Arp(1, VmMac, "10.77.0.50", "10.77.0.50"), new(VmMac, "10.77.0.50", false) },
        { "ARP probe: a claim of the target", Arp(1, VmMac, "0.0.0.0", "10.77.0.51"), new(VmMac, "10.77.0.51", true) },
        { "solicitation: the sender's address", Ndp(135, VmMac, "2001:db8:77::50", "2001:db8:77::1", 1, VmMac), new(VmMac, "2001:db8:77::50", false) },
        { "solicitation from :: (duplicate address detection): a claim", Ndp(135, VmMac, "::", "2001:db8:77::51"), new(VmMac, "2001:db8:77::51", true) },
        { "advertisement: the target, with its link-layer option", Ndp(136, "52:54:00:ff:ff:ff", "2001:db8:77::50", "2001:db8:77::50", 2, VmMac), new(VmMac, "2001:db8:77::50", false) },
        { "advertisement without the option: the frame's source", Ndp(136, VmMac, "fe80::5054:ff:feab:102", "fe80::5054:ff:feab:102"), new(VmMac, "fe80::5054:ff:feab:102", false) },
    };

    [Theory]
    [MemberData(nameof(Announcements))]
    public void TryParse_AnAnnouncement_GivesItsBinding(string what, byte[] frame, Sighting expected)
    {
        Assert.True(NeighbourFrames.TryParse(frame, out var sighting), what);
        Assert.Equal(expected, sighting);
    }

    public static TheoryData<string, byte[]> Silences => new()
    {
        { "an IPv4 frame", [.. Mac("ff:ff:ff:ff:ff:ff"), .. Mac(VmMac), 0x08, 0x00, .. new byte[40]] },
        { "ARP from a group MAC", Arp(1, "01:00:5e:00:00:01", "10.77.0.50", "10.77.0.1") },
        { "ARP from an all-zero MAC", Arp(1, "00:00:00:00:00:00", "10.77.0.50", "10.77.0.1") },
        { "ARP for the broadcast address", Arp(1, VmMac, "255.255.255.255", "10.77.0.1") },
        { "neighbour discovery with a hop limit below 255 (forwarded, so forged)", Ndp(136, VmMac, "2001:db8:77::50", "2001:db8:77::50", hopLimit: 64) },
        { "a router solicitation", Ndp(133, VmMac, "2001:db8:77::50", "::") },
        { "an advertisement of a multicast target", Ndp(136, VmMac, "2001:db8:77::50", "ff02::1") },
    };

    [Theory]
    [MemberData(nameof(Silences))]
    public void TryParse_AnythingElse_AnnouncesNothing(string what, byte[] frame)
    {
        Assert.False(NeighbourFrames.TryParse(frame, out _), what);
    }

    [Fact]
    public void TryParse_AnOptionRunningPastTheFrame_IsIgnored_AndTheFramesSourceCounts()
    {
        byte[] frame = [.. Ndp(136, VmMac, "2001:db8:77::50", "2001:db8:77::50"), 2, 9, .. Mac("52:54:00:ff:ff:ff")];

        Assert.True(NeighbourFrames.TryParse(frame, out var sighting));
        Assert.Equal(VmMac, sighting.Mac);
    }

    [Fact]
    public void TryParse_EveryTruncation_OfEveryAnnouncement_NeverThrows()
    {
        foreach (var frame in Announcements.Select(row => (byte[])row[1]))
        {
            for (var length = 0; length < frame.Length; length++)
            {
                _ = NeighbourFrames.TryParse(frame.AsSpan(0, length), out _);
            }
        }
    }
}
