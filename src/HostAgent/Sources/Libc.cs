using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources;

/// <summary>
/// The C library's socket calls that the agent's own sockets use (the packet sockets of capture,
/// the rtnetlink socket of the kernel source), bound through LibraryImport so that the native
/// build calls them directly. Failures become <see cref="SourceException"/>s that say what failed.
/// </summary>
internal static unsafe partial class Libc
{
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int SolSocket = 1;
    public const int SoReceiveBuffer = 8;
    public const int SoReceiveTimeout = 20;
    public const int TryAgain = 11, Interrupted = 4, NoBufferSpace = 105;

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
}
