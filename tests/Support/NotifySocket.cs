using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace DaemonNet.Tests.Support;

/// <summary>
/// What systemd listens on for Type=notify services: a Unix datagram socket, here one the test
/// owns. A program started with NOTIFY_SOCKET set to <see cref="Path"/> sends its READY=1 and
/// STATUS= lines to it.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource stop = new();
    private readonly BlockingCollection<string> messages = [];

    public NotifySocket(string path)
    {
        Path = path;
        socket.Bind(new UnixDomainSocketEndPoint(path));
        _ = ReceiveAsync();
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NOTIFY_SOCKET"] = Path };

    /// <summary>The next message, or null when none arrives in time.</summary>
    public string? Next(TimeSpan timeout) => messages.TryTake(out var message, timeout) ? message : null;

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4_096];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                messages.Add(Encoding.UTF8.GetString(buffer, 0, length));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        socket.Dispose();
        File.Delete(Path);
        stop.Dispose();
        messages.Dispose();
    }
}
