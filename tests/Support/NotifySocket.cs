using System.Net.Sockets;

namespace DaemonNet.Tests.Support;

/// <summary>
/// What systemd listens on for Type=notify services: a Unix datagram socket, here one the test
/// owns. A program started with NOTIFY_SOCKET set to <see cref="Path"/> sends its READY=1 and
/// STATUS= lines to it.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly DatagramInbox inbox;

    public NotifySocket(string path)
    {
        Path = path;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        inbox = new DatagramInbox(socket);
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal) { ["NOTIFY_SOCKET"] = Path };

    /// <summary>The next message, or null when none arrives in time.</summary>
    public string? Next(TimeSpan timeout) => inbox.Next(timeout);

    public void Dispose()
    {
        inbox.Dispose();
        File.Delete(Path);
    }
}
