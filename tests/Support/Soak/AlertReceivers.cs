using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// The club's alert receivers, listening inside the cluster's namespace where the collectors run:
/// a webhook server (which can answer 503 for a while, as a receiver that is down) and a TCP
/// syslog server (which can stop listening for a while). Each keeps every alert id it received,
/// as often as it received it: a receiver tells a resent alert by its id.
/// </summary>
public sealed partial class AlertReceivers : IAsyncDisposable
{
    private readonly NetworkNamespace inside;
    private readonly IPEndPoint syslogEndPoint;
    private readonly ConcurrentQueue<long> webhookIds = new();
    private readonly ConcurrentQueue<long> syslogIds = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private readonly WebApplication webhook;
    private readonly Socket webhookSocket;
    private Socket? syslogListener;
    private volatile bool webhookDown;

    private AlertReceivers(NetworkNamespace inside, Socket webhookSocket, IPEndPoint syslogEndPoint, WebApplication webhook)
    {
        this.inside = inside;
        this.webhookSocket = webhookSocket;
        this.syslogEndPoint = syslogEndPoint;
        this.webhook = webhook;
        WebhookUrl = $"http://{webhookSocket.LocalEndPoint}/hook";
        SyslogAddress = $"tcp://{syslogEndPoint}";
    }

    public string WebhookUrl { get; }

    public string SyslogAddress { get; }

    /// <summary>Alert ids the webhook accepted, in order, resends included.</summary>
    public IReadOnlyList<long> WebhookIds => [.. webhookIds];

    /// <summary>Alert ids syslog received, in order, resends included.</summary>
    public IReadOnlyList<long> SyslogIds => [.. syslogIds];

    public static async Task<AlertReceivers> StartAsync(NetworkNamespace inside, IPAddress address)
    {
        // Kestrel takes the socket's descriptor: the socket stays this object's, open for its lifetime.
        var webhookSocket = NamespaceSockets.Listen(inside, new IPEndPoint(address, 0));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle((ulong)webhookSocket.Handle));
        var app = builder.Build();
        var syslogSocket = NamespaceSockets.Listen(inside, new IPEndPoint(address, 0));
        var receivers = new AlertReceivers(inside, webhookSocket, (IPEndPoint)syslogSocket.LocalEndPoint!, app);
        app.MapPost("/hook", (HttpContext context) =>
        {
            if (receivers.webhookDown)
            {
                return Results.StatusCode(503);
            }
            if (long.TryParse(context.Request.Headers["X-DaemonNet-Alert"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                receivers.webhookIds.Enqueue(id);
            }
            return Results.Ok();
        });
        await app.StartAsync();
        receivers.syslogListener = syslogSocket;
        _ = receivers.AcceptAsync(syslogSocket);
        return receivers;
    }

    /// <summary>The webhook answers 503 until <see cref="WebhookUp"/>.</summary>
    public void WebhookDown() => webhookDown = true;

    public void WebhookUp() => webhookDown = false;

    /// <summary>Syslog stops listening: connections are refused until <see cref="SyslogUp"/>.</summary>
    public void SyslogDown()
    {
        lock (gate)
        {
            syslogListener?.Dispose();
            syslogListener = null;
        }
    }

    public void SyslogUp()
    {
        lock (gate)
        {
            if (syslogListener is null)
            {
                syslogListener = NamespaceSockets.Listen(inside, syslogEndPoint);
                _ = AcceptAsync(syslogListener);
            }
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = ReadAsync(client);
        }
    }

    /// <summary>Reads octet-counted frames (RFC 6587) until the sender closes.</summary>
    private async Task ReadAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        var one = new byte[1];
        try
        {
            while (true)
            {
                var digits = new StringBuilder();
                while (await stream.ReadAsync(one, stop.Token) == 1 && one[0] is >= (byte)'0' and <= (byte)'9')
                {
                    digits.Append((char)one[0]);
                }
                if (digits.Length == 0 || one[0] != ' ')
                {
                    return;
                }
                var message = new byte[int.Parse(digits.ToString(), System.Globalization.CultureInfo.InvariantCulture)];
                await stream.ReadExactlyAsync(message, stop.Token);
                if (SyslogId().Match(Encoding.UTF8.GetString(message)) is { Success: true } id)
                {
                    syslogIds.Enqueue(long.Parse(id.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // The sender went away.
        }
    }

    [GeneratedRegex(@"\[daemonnet@32473 id=""(\d+)""")]
    private static partial Regex SyslogId();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        SyslogDown();
        await webhook.StopAsync();
        await webhook.DisposeAsync();
        webhookSocket.Dispose();
        stop.Dispose();
    }
}
