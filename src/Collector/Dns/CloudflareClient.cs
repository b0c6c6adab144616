using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace DaemonNet.Collector.Dns;

/// <summary>
/// Lists a zone's AAAA records through Cloudflare's API (GET zones/{zone}/dns_records?type=AAAA,
/// page by page), and turns its refusals into sentences: a bad token, an unknown zone, a rate limit
/// (waited out, within bounds, as Retry-After says).
/// </summary>
public sealed class CloudflareClient : IDisposable
{
    private const int PerPage = 100;
    private const int MaxPages = 1_000;
    private const int MaxRateLimitWaits = 3;
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(60);

    private readonly CloudflareOptions options;
    private readonly HttpClient http;
    private readonly TimeProvider time;

    public CloudflareClient(CloudflareOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (options.CaFile.Length > 0)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(options.CaFile));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 server && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None && IsIssuedBy(server, authority);
        }
        http = new HttpClient(handler) { BaseAddress = new Uri(options.ApiUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(options.TokenFile).Trim());
    }

    private static bool IsIssuedBy(X509Certificate2 server, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }

    /// <summary>Every AAAA record of the zone.</summary>
    /// <exception cref="CloudflareException">With a sentence that says what Cloudflare refused and what to check.</exception>
    public async Task<List<AaaaRecord>> ListAaaaAsync(CancellationToken cancellationToken)
    {
        var records = new List<AaaaRecord>();
        for (var page = 1; page <= MaxPages; page++)
        {
            using var document = await GetPageAsync(page, cancellationToken);
            var root = document.RootElement;
            foreach (var record in root.GetProperty("result").EnumerateArray())
            {
                if (record.GetProperty("type").GetString() == "AAAA" && IPAddress.TryParse(record.GetProperty("content").GetString(), out var address))
                {
                    records.Add(new AaaaRecord(record.GetProperty("name").GetString() ?? "", address.ToString(),
                        record.TryGetProperty("proxied", out var proxied) && proxied.ValueKind == JsonValueKind.True));
                }
            }
            var totalPages = root.TryGetProperty("result_info", out var info) && info.TryGetProperty("total_pages", out var total) ? total.GetInt32() : 1;
            if (page >= totalPages)
            {
                return records;
            }
        }
        throw new CloudflareException($"zone {options.ZoneId} has more than {MaxPages} pages of AAAA records; the check stops there");
    }

    private async Task<JsonDocument> GetPageAsync(int page, CancellationToken cancellationToken)
    {
        var path = $"zones/{Uri.EscapeDataString(options.ZoneId)}/dns_records?type=AAAA&page={page}&per_page={PerPage}";
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.GetAsync(path, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new CloudflareException($"cannot reach {options.ApiUrl}: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CloudflareException($"{options.ApiUrl} did not answer within {http.Timeout.TotalSeconds:0} s");
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
                    if (attempt >= MaxRateLimitWaits || wait > LongestRetryAfter)
                    {
                        throw new CloudflareException($"Cloudflare rate-limited the listing of zone {options.ZoneId} (retry after {wait.TotalSeconds:0} s); the next refresh tries again");
                    }
                    await Task.Delay(wait, time, cancellationToken);
                    continue;
                }
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(body);
                }
                catch (JsonException)
                {
                    throw new CloudflareException($"Cloudflare answered {(int)response.StatusCode} with a body that is not its JSON envelope");
                }
                if (response.IsSuccessStatusCode && document.RootElement.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
                {
                    return document;
                }
                using (document)
                {
                    throw new CloudflareException(Refusal(response.StatusCode, document.RootElement));
                }
            }
        }
    }

    private string Refusal(HttpStatusCode status, JsonElement envelope)
    {
        var errors = envelope.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => (Code: e.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0, Message: e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "")).ToList()
            : [];
        var said = errors.Count == 0 ? $"HTTP {(int)status}" : string.Join("; ", errors.Select(e => $"{e.Code}: {e.Message}"));
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || errors.Any(e => e.Code is 10000 or 9109 or 6003))
        {
            return $"Cloudflare refused the API token in {options.TokenFile} ({said}): give it DNS Read permission for zone {options.ZoneId}, or write a valid token there";
        }
        if (status == HttpStatusCode.NotFound || errors.Any(e => e.Code is 7003 or 7000 or 1001))
        {
            return $"Cloudflare does not know zone {options.ZoneId} ({said}): check Collector:Cloudflare:ZoneId against the zone's Overview page";
        }
        return $"Cloudflare refused to list zone {options.ZoneId}'s records: {said}";
    }

    public void Dispose() => http.Dispose();
}

/// <summary>A listing that failed, with a sentence for the audit.</summary>
public sealed class CloudflareException(string message) : Exception(message);
