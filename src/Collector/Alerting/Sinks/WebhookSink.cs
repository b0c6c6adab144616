using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>
/// POSTs each alert as JSON. With a secret, the <c>X-DaemonNet-Signature</c> header carries
/// <c>sha256=</c> and the hex HMAC-SHA256 of the exact body, so that the receiver can tell the
/// collector's alerts from anyone else's; <c>X-DaemonNet-Alert</c> carries the alert's id, which
/// stays the same across retries. Any 2xx answer delivers; anything else is retried.
/// </summary>
public sealed class WebhookSink : IAlertSink, IDisposable
{
    public const string SignatureHeader = "X-DaemonNet-Signature";
    public const string AlertHeader = "X-DaemonNet-Alert";

    private readonly Uri url;
    private readonly byte[]? key;
    private readonly HttpClient http;

    public WebhookSink(AlertSinkOptions options)
    {
        url = new Uri(options.Url);
        key = options.SecretFile.Length > 0 ? Encoding.UTF8.GetBytes(File.ReadAllText(options.SecretFile).Trim()) : null;
        http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.TimeoutDuration }) { Timeout = options.TimeoutDuration };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("daemonnet-collector", typeof(WebhookSink).Assembly.GetName().Version?.ToString() ?? "0"));
    }

    /// <summary>The header value for a body: what a receiver recomputes with the shared secret and compares.</summary>
    public static string Signature(byte[] key, byte[] body) => $"sha256={Convert.ToHexStringLower(HMACSHA256.HashData(key, body))}";

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(AlertText.Json(alert));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(AlertHeader, alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (key is not null)
        {
            request.Headers.Add(SignatureHeader, Signature(key, body));
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AlertSinkException($"cannot reach {url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlertSinkException($"{url} did not answer within {http.Timeout.TotalSeconds:0} s", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new AlertSinkException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
    }

    public void Dispose() => http.Dispose();
}
