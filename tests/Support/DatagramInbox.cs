using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace DaemonNet.Tests.Support;

/// <summary>Keeps every datagram a bound socket receives, as text, in order, until disposed (which closes the socket).</summary>
public sealed class DatagramInbox : IDisposable
{
    private readonly Socket socket;
    private readonly CancellationTokenSource stop = new();
    private readonly BlockingCollection<string> pending = [];
    private readonly ConcurrentQueue<string> all = new();

    public DatagramInbox(Socket socket)
    {
        this.socket = socket;
        _ = ReceiveAsync();
    }

    /// <summary>Everything received so far.</summary>
    public IReadOnlyList<string> Received => [.. all];

    /// <summary>The next datagram not taken yet, or null when none arrives in time.</summary>
    public string? Next(TimeSpan timeout) => pending.TryTake(out var message, timeout) ? message : null;

    private async Task ReceiveAsync()
    {
        var buffer = new byte[65_536];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                var text = Encoding.UTF8.GetString(buffer, 0, length);
                all.Enqueue(text);
                pending.Add(text);
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
        stop.Dispose();
        pending.Dispose();
    }
}
