using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Alerting;

/// <summary>
/// A syslog receiver on real local sockets, one of each transport the sink speaks: UDP (one
/// message per datagram), TCP (octet-counting framing, RFC 6587) and a Unix datagram socket.
/// </summary>
internal sealed class SyslogReceiver : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly DatagramInbox udp;
    private readonly DatagramInbox unix;
    private readonly TcpListener tcp = new(IPAddress.Loopback, 0);
    private readonly int udpPort;

    public SyslogReceiver(string unixPath)
    {
        UnixPath = unixPath;
        var udpSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        udpPort = ((IPEndPoint)udpSocket.LocalEndPoint!).Port;
        udp = new DatagramInbox(udpSocket);
        var unixSocket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        unixSocket.Bind(new UnixDomainSocketEndPoint(unixPath));
        unix = new DatagramInbox(unixSocket);
        tcp.Start();
        _ = AcceptAsync();
    }

    public string UnixPath { get; }

    public IReadOnlyList<string> Udp => udp.Received;

    public ConcurrentQueue<string> Tcp { get; } = new();

    public IReadOnlyList<string> Unix => unix.Received;

    public string UdpAddress => $"udp://127.0.0.1:{udpPort}";

    public string TcpAddress => $"tcp://127.0.0.1:{((IPEndPoint)tcp.LocalEndpoint).Port}";

    public string UnixAddress => $"unix://{UnixPath}";

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
