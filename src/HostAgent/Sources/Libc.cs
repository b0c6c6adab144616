using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources;

/// <summary>
/// The C library's calls the agent makes itself: the socket calls of its own sockets (the packet
/// sockets of capture, the rtnetlink socket of the kernel source) and malloc's arena limit, bound
/// through LibraryImport so that the native build calls them directly. Failures become <see cref="SourceException"/>s that say what failed.
/// </summary>
internal static unsafe partial class Libc
{
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int SolSocket = 1;
    public const int SoReceiveBuffer = 8;
    public const int SoReceiveTimeout = 20;
    public const int TryAgain = 11, Interrupted = 4, NoBufferSpace = 105;

    private const int MallocArenaMax = -8;

    /// <summary>
    /// Caps the C library's malloc arenas at two. glibc gives each thread that allocates an arena
    /// of its own (libvirt's, gnutls's and libxml2's allocations on the agent's threads), and each
    /// keeps its pages: two arenas instead of one per thread took 4–5 MiB off a busy host's agent
    /// (docs/BENCHMARKS.md). The agent's allocations are few, so two cannot contend.
    /// </summary>
    public static void KeepMallocArenasFew() => _ = mallopt(MallocArenaMax, 2);

    /// <summary>Makes each receive on <paramref name="descriptor"/> give up after <paramref name="timeout"/>.</summary>
    public static void SetReceiveTimeout(int descriptor, TimeSpan timeout, string what)
    {
        var value = new Timeval { Seconds = (long)timeout.TotalSeconds, Microseconds = timeout.Milliseconds * 1000L };
        Check(setsockopt(descriptor, SolSocket, SoReceiveTimeout, &value, (uint)sizeof(Timeval)), what);
    }

    public static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw Failure(what);
        }
    }

    /// <summary>The last call's error, after <paramref name="what"/>.</summary>
    public static SourceException Failure(string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [StructLayout(LayoutKind.Sequential)]
    private struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int socket, int level, int name, void* value, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int bind(int socket, void* address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc")]
    public static partial int close(int descriptor);

    [LibraryImport("libc")]
    private static partial int mallopt(int parameter, int value);
}
