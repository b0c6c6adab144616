using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources.Capture;

/// <summary>
/// An AF_PACKET socket on one bridge that the kernel lets only ARP and IPv6 neighbour
/// solicitations and advertisements through (a classic BPF filter), so that other traffic never
/// reaches the agent. The bridge is put in promiscuous mode through the socket's membership (undone
/// when the socket closes) so that replies between VMs and the LAN are seen too. Needs CAP_NET_RAW.
/// </summary>
internal sealed unsafe class PacketSocket : IDisposable
{
    private const int AfPacket = 17;
    private const ushort AllProtocolsNetworkOrder = 0x0300;
    private const int SoAttachFilter = 26;
    private const int SolPacket = 263;
    private const int PacketAddMembership = 1;
    private const ushort PacketMembershipPromiscuous = 1;

    // ldh [12]; jeq ARP → accept; jeq IPv6 → next, else drop; ldb [20] (next header); jeq ICMPv6, else drop;
    // ldb [54] (ICMPv6 type); jeq 135 → accept; jeq 136 → accept, else drop; accept: ret 256 KiB; drop: ret 0.
    private static readonly SockFilter[] Filter =
    [
        new(0x28, 0, 0, 12),
        new(0x15, 6, 0, 0x0806),
        new(0x15, 0, 6, 0x86DD),
        new(0x30, 0, 0, 20),
        new(0x15, 0, 4, 58),
        new(0x30, 0, 0, 54),
        new(0x15, 1, 0, 135),
        new(0x15, 0, 1, 136),
        new(0x06, 0, 0, 0x40000),
        new(0x06, 0, 0, 0),
    ];

    private readonly int descriptor;

    private PacketSocket(int descriptor) => this.descriptor = descriptor;

    /// <exception cref="SourceException">With the reason (a missing bridge, no CAP_NET_RAW).</exception>
    public static PacketSocket Open(string device)
    {
        var ifindexFile = $"/sys/class/net/{device}/ifindex";
        if (!File.Exists(ifindexFile) || !int.TryParse(File.ReadAllText(ifindexFile).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var ifindex))
        {
            throw new SourceException($"there is no interface {device} to capture on");
        }
        var fd = Libc.socket(AfPacket, Libc.SockRaw | Libc.SockCloexec, AllProtocolsNetworkOrder);
        if (fd < 0)
        {
            throw Libc.Failure($"cannot open a packet socket for {device} (it needs CAP_NET_RAW; --capture none turns capture off)");
        }
        var opened = new PacketSocket(fd);
        try
        {
            fixed (SockFilter* program = Filter)
            {
                var filter = new SockFprog { Length = (ushort)Filter.Length, Filter = program };
                Libc.Check(Libc.setsockopt(fd, Libc.SolSocket, SoAttachFilter, &filter, (uint)sizeof(SockFprog)), $"cannot filter the packets of {device}");
            }
            var address = new SockaddrLl { Family = AfPacket, Protocol = AllProtocolsNetworkOrder, Ifindex = ifindex };
            Libc.Check(Libc.bind(fd, &address, (uint)sizeof(SockaddrLl)), $"cannot listen on {device}");
            var membership = new PacketMreq { Ifindex = ifindex, Type = PacketMembershipPromiscuous };
            Libc.Check(Libc.setsockopt(fd, SolPacket, PacketAddMembership, &membership, (uint)sizeof(PacketMreq)), $"cannot see all of {device}'s traffic");
            Libc.SetReceiveTimeout(fd, TimeSpan.FromSeconds(1), $"cannot set a receive timeout on {device}");
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>Waits up to a second for a frame; returns its length, or 0 when none came.</summary>
    public int Receive(Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var length = Libc.recv(descriptor, start, (nuint)buffer.Length, 0);
            if (length >= 0)
            {
                return (int)length;
            }
            var error = Marshal.GetLastPInvokeError();
            return error is Libc.TryAgain or Libc.Interrupted ? 0 : throw new SourceException($"capture stopped: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    // Closing a socket this process owns has nothing to report that could be acted on.
    public void Dispose() => _ = Libc.close(descriptor);

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct SockFilter(ushort code, byte jumpIfTrue, byte jumpIfFalse, uint operand)
    {
        public readonly ushort Code = code;
        public readonly byte JumpIfTrue = jumpIfTrue;
        public readonly byte JumpIfFalse = jumpIfFalse;
        public readonly uint Operand = operand;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int Ifindex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PacketMreq
    {
        public int Ifindex;
        public ushort Type;
        public ushort AddressLength;
        public fixed byte Address[8];
    }
}
