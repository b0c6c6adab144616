using System.Globalization;
using System.Net.Sockets;
using System.Text;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>
/// Sends each alert as one RFC 5424 message: over UDP one datagram, over TCP with octet-counting
/// framing (RFC 6587), over a Unix socket one datagram. The structured data carries the alert's
/// id, rule, severity and host, under the documentation enterprise number 32473 (RFC 5612).
/// </summary>
public sealed class SyslogSink(AlertSinkOptions options) : IAlertSink
{
    private const string StructuredDataId = "daemonnet@32473";

    private readonly SyslogAddress address = SyslogAddress.TryParse(options.Address, out var parsed)
        ? parsed : throw new ArgumentException($"not a syslog address: {options.Address}");

    private readonly int facility = SyslogFacility.TryParse(options.Facility, out var number) ? number : 3;

    /// <summary>The message for an alert, without transport framing.</summary>
    public string Message(Alert alert)
    {
        var severity = alert.Severity switch
        {
            Severity.Critical => 2,
            Severity.Warning => 4,
            _ => 6,
        };
        var host = Environment.MachineName is { Length: > 0 } name ? name : "-";
        var time = StoredTime.ToInstant(alert.At).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var data = $"[{StructuredDataId} id=\"{alert.Id}\" rule=\"{Escape(alert.Rule)}\" severity=\"{AlertText.Severity(alert.Severity)}\" host=\"{Escape(alert.Host)}\"]";
        var text = string.Join("; ", AlertText.Evidence(alert).Prepend(alert.Summary)) + $" → {alert.Action}";
        return $"<{facility * 8 + severity}>1 {time} {host} daemonnet-collector {Environment.ProcessId} {alert.Rule} {data} {text}";
    }

    // Inside a structured-data value, '"', '\' and ']' are escaped with a backslash.
    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("]", "\\]");

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var message = Encoding.UTF8.GetBytes(Message(alert));
        try
        {
            switch (address.Transport)
            {
                case SyslogAddress.Udp:
                    using (var udp = new UdpClient())
                    {
                        await udp.SendAsync(message, address.Host, address.Port, cancellationToken);
                    }
                    break;
                case SyslogAddress.Tcp:
                    using (var tcp = new TcpClient())
                    {
                        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        connecting.CancelAfter(options.TimeoutDuration);
                        await tcp.ConnectAsync(address.Host, address.Port, connecting.Token);
                        var stream = tcp.GetStream();
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{message.Length} "), connecting.Token);
                        await stream.WriteAsync(message, connecting.Token);
                    }
                    break;
                default:
                    using (var unix = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
                    {
                        await unix.SendToAsync(message, SocketFlags.None, new UnixDomainSocketEndPoint(address.Path), cancellationToken);
                    }
                    break;
            }
        }
        catch (SocketException e)
        {
            throw new AlertSinkException($"cannot send to syslog at {options.Address}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlertSinkException($"syslog at {options.Address} did not accept the connection within {options.TimeoutDuration.TotalSeconds:0} s", e);
        }
    }
}
