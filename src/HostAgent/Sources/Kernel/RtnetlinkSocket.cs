using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>
/// A NETLINK_ROUTE socket of the agent's network namespace: it asks for dumps of the link, address
/// and neighbour tables, or, opened with multicast groups, hears the kernel announce their changes.
/// No privilege is needed to read. Every call is bounded by a receive timeout.
/// </summary>
public sealed unsafe class RtnetlinkSocket : IDisposable
{
    /// <summary>RTMGRP_LINK, RTMGRP_NEIGH, RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR: every change the kernel source reports.</summary>
    public const uint KernelSourceGroups = 0x1 | 0x4 | 0x10 | 0x100;

    private const int AfNetlink = 16;
    private const int NetlinkRoute = 0;
    private const int MessageTruncated = 0x20;
    private const ushort FlagRequest = 0x1, FlagDump = 0x300;
    private const int DumpAttempts = 3;
    private const int BufferLength = 64 * 1024;

    private static readonly TimeSpan DumpTimeout = TimeSpan.FromSeconds(5);

    private readonly int descriptor;
    private readonly byte[] buffer = new byte[BufferLength];
    private uint sequence;

    private RtnetlinkSocket(int descriptor) => this.descriptor = descriptor;

    /// <param name="groups">The multicast groups to hear (<see cref="KernelSourceGroups"/>), or 0 for a socket that only dumps.</param>
    /// <param name="receiveTimeout">How long one receive waits before it gives up (dumps) or returns 0 (announcements).</param>
    /// <exception cref="SourceException">With the reason.</exception>
    public static RtnetlinkSocket Open(uint groups, TimeSpan receiveTimeout)
    {
        var fd = Libc.socket(AfNetlink, Libc.SockRaw | Libc.SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw Libc.Failure("cannot open a rtnetlink socket");
        }
        var opened = new RtnetlinkSocket(fd);
        try
        {
            Libc.SetReceiveTimeout(fd, receiveTimeout, "cannot set a receive timeout on the rtnetlink socket");
            if (groups != 0)
            {
                // A busy neighbour table announces in bursts; a larger queue loses fewer of them.
                var size = 1024 * 1024;
                Libc.Check(Libc.setsockopt(fd, Libc.SolSocket, Libc.SoReceiveBuffer, &size, sizeof(int)), "cannot size the rtnetlink socket's queue");
            }
            var address = new SockaddrNl { Family = AfNetlink, Groups = groups };
            Libc.Check(Libc.bind(fd, &address, (uint)sizeof(SockaddrNl)), "cannot bind the rtnetlink socket");
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>Opens a socket that only dumps, and reads links, addresses and neighbours through it.</summary>
    public static KernelTables ReadTables()
    {
        using var socket = Open(0, DumpTimeout);
        return socket.DumpTables();
    }

    public KernelTables DumpTables() => RtnetlinkMessages.Read(
        Dump(RtnetlinkMessages.GetLink, 16, "links"),
        Dump(RtnetlinkMessages.GetAddress, 8, "addresses"),
        Dump(RtnetlinkMessages.GetNeighbour, 12, "neighbours"));

    /// <summary>
    /// Every message of one dump. A dump the kernel marks as interrupted (the table changed while
    /// it was being read) is asked for again, up to three times in all.
    /// </summary>
    /// <param name="headerLength">The length of the family header (ifinfomsg, ifaddrmsg, ndmsg) the request carries, all zero: every family.</param>
    public List<NetlinkMessage> Dump(ushort type, int headerLength, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (messages, interrupted) = DumpOnce(type, headerLength, what);
            if (!interrupted)
            {
                return messages;
            }
            if (attempt == DumpAttempts)
            {
                throw new SourceException($"the kernel's dump of {what} was interrupted by changes {DumpAttempts} times in a row");
            }
        }
    }

    private (List<NetlinkMessage> Messages, bool Interrupted) DumpOnce(ushort type, int headerLength, string what)
    {
        var number = ++sequence;
        Span<byte> request = stackalloc byte[RtnetlinkMessages.HeaderLength + RtnetlinkMessages.Align(headerLength)];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], FlagRequest | FlagDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], number);
        fixed (byte* start = request)
        {
            if (Libc.send(descriptor, start, (nuint)request.Length, 0) < 0)
            {
                throw Libc.Failure($"cannot ask the kernel for its {what}");
            }
        }
        var messages = new List<NetlinkMessage>();
        var interrupted = false;
        while (true)
        {
            var length = Receive(buffer);
            if (length == 0)
            {
                throw new SourceException($"the kernel did not finish its dump of {what} within {DumpTimeout.TotalSeconds:0} s");
            }
            foreach (var message in RtnetlinkMessages.Split(buffer.AsSpan(0, length)).Where(m => m.Sequence == number))
            {
                interrupted |= (message.Flags & RtnetlinkMessages.FlagDumpInterrupted) != 0;
                switch (message.Type)
                {
                    case RtnetlinkMessages.Done:
                        return (messages, interrupted);
                    case RtnetlinkMessages.Error:
                        var error = message.Body.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(message.Body) : 0;
                        throw new SourceException($"the kernel refused to dump its {what}: {Marshal.GetPInvokeErrorMessage(error)}");
                    case RtnetlinkMessages.NoOperation:
                        break;
                    default:
                        messages.Add(message);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Waits for one datagram, up to the receive timeout; returns its length, or 0 when none came.
    /// A queue that overflowed (announcements were lost) counts as a datagram: something changed.
    /// </summary>
    public int Receive(Span<byte> into)
    {
        fixed (byte* start = into)
        {
            var length = Libc.recv(descriptor, start, (nuint)into.Length, MessageTruncated);
            if (length > into.Length)
            {
                throw new SourceException($"a rtnetlink message of {length} bytes does not fit the {into.Length}-byte buffer");
            }
            if (length >= 0)
            {
                return (int)length;
            }
            var error = Marshal.GetLastPInvokeError();
            return error switch
            {
                Libc.TryAgain or Libc.Interrupted => 0,
                Libc.NoBufferSpace => 1,
                _ => throw new SourceException($"cannot read from the rtnetlink socket: {Marshal.GetPInvokeErrorMessage(error)}"),
            };
        }
    }

    // Closing a socket this process owns has nothing to report that could be acted on.
    public void Dispose() => _ = Libc.close(descriptor);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrNl
    {
        public ushort Family;
        public ushort Padding;
        public uint PortId;
        public uint Groups;
    }
}
