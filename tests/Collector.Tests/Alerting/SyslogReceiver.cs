using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DaemonNet.Collector.Tests.Alerting;

/// <summary>
/// A syslog receiver on real local sockets, one of each transport the sink speaks: UDP (one
/// message per datagram), TCP (octet-counting framing, RFC 6587) and a Unix datagram socket.
/// </summary>
internal sealed class SyslogReceiver : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Socket udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly TcpListener tcp = new(IPAddress.Loopback, 0);
    private readonly Socket unix = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SyslogReceiver(string unixPath)
    {
        UnixPath = unixPath;
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Start();
        unix.Bind(new UnixDomainSocketEndPoint(unixPath));
        _ = ReceiveDatagramsAsync(udp, Udp);
        _ = ReceiveDatagramsAsync(unix, Unix);
        _ = AcceptAsync();
    }

    public string UnixPath { get; }

    public ConcurrentQueue<string> Udp { get; } = new();

    public ConcurrentQueue<string> Tcp { get; } = new();

    public ConcurrentQueue<string> Unix { get; } = new();

    public string UdpAddress => $"udp://127.0.0.1:{((IPEndPoint)udp.LocalEndPoint!).Port}";

    public string TcpAddress => $"tcp://127.0.0.1:{((IPEndPoint)tcp.LocalEndpoint).Port}";

    public string UnixAddress => $"unix://{UnixPath}";

    private async Task ReceiveDatagramsAsync(Socket socket, ConcurrentQueue<string> into)
    {
        var buffer = new byte[65_536];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                into.Enqueue(Encoding.UTF8.GetString(buffer, 0, length));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Reads "LENGTH SP MESSAGE" frames until the sender closes.</summary>
    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = await tcp.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                while (true)
                {
                    var digits = new StringBuilder();
                    int c;
                    while ((c = stream.ReadByte()) is >= '0' and <= '9')
                    {
                        digits.Append((char)c);
                    }
                    if (c != ' ' || digits.Length == 0)
                    {
                        break;
                    }
                    var message = new byte[int.Parse(digits.ToString(), System.Globalization.CultureInfo.InvariantCulture)];
                    stream.ReadExactly(message);
                    Tcp.Enqueue(Encoding.UTF8.GetString(message));
                }
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
        udp.Dispose();
        tcp.Stop();
        unix.Dispose();
        File.Delete(UnixPath);
        stop.Dispose();
    }
}
