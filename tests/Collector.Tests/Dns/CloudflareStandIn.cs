using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaemonNet.Collector.Tests.Dns;

/// <summary>
/// A stand-in for Cloudflare's API, which cannot be reached from here: a local HTTPS server that
/// answers GET /client/v4/zones/{zone}/dns_records in Cloudflare's documented envelope (success,
/// errors, messages, result, result_info), two records per page, with its error codes for a bad
/// token (10000) and an unknown zone (7003), and 429 with Retry-After when told to rate-limit.
/// </summary>
internal sealed class CloudflareStandIn : IAsyncDisposable
{
    public const string Zone = "023e105f4ecef8ad9ca31a8372d0c353";
    public const string Token = "stand-in-token-with-dns-read";
    private const int PageSize = 2;

    private readonly WebApplication app;
    private int rateLimited;
    private int requests;

    private CloudflareStandIn(WebApplication app, string caFile)
    {
        this.app = app;
        CaFile = caFile;
    }

    public List<(string Name, string Type, string Content)> Records { get; } = [];

    /// <summary>The certificate the server presents, as a PEM file for Collector:Cloudflare:CaFile.</summary>
    public string CaFile { get; }

    public string ApiUrl => $"{app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()}/client/v4";

    public int Requests => Volatile.Read(ref requests);

    /// <summary>The next this many requests are answered 429 with Retry-After: 1.</summary>
    public void RateLimit(int count) => Interlocked.Exchange(ref rateLimited, count);

    public static async Task<CloudflareStandIn> StartAsync(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=api.cloudflare.example", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);
        var caFile = Path.Combine(folder, "cloudflare-stand-in.pem");
        await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var standIn = new CloudflareStandIn(app, caFile);
        app.MapGet("/client/v4/zones/{zone}/dns_records", (HttpContext context, string zone) => standIn.Answer(context, zone));
        await app.StartAsync();
        return standIn;
    }

    private IResult Answer(HttpContext context, string zone)
    {
        Interlocked.Increment(ref requests);
        if (Interlocked.Decrement(ref rateLimited) >= 0)
        {
            context.Response.Headers.RetryAfter = "1";
            return Envelope(StatusCodes.Status429TooManyRequests, 971, "Please wait and consider throttling your request speed");
        }
        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            return Envelope(StatusCodes.Status403Forbidden, 10000, "Authentication error");
        }
        if (zone != Zone)
        {
            return Envelope(StatusCodes.Status400BadRequest, 7003, $"Could not route to /zones/{zone}/dns_records, perhaps your object identifier is invalid?");
        }
        var type = context.Request.Query["type"].ToString();
        var page = int.TryParse(context.Request.Query["page"], System.Globalization.CultureInfo.InvariantCulture, out var asked) && asked > 0 ? asked : 1;
        var matching = Records.Where(r => type.Length == 0 || r.Type == type).ToList();
        var result = matching.Skip((page - 1) * PageSize).Take(PageSize)
            .Select((r, i) => new { id = $"rec{page}{i}", zone_id = Zone, name = r.Name, type = r.Type, content = r.Content, proxied = true, ttl = 1 }).ToList();
        return Results.Json(new
        {
            success = true, errors = Array.Empty<object>(), messages = Array.Empty<object>(), result,
            result_info = new { page, per_page = PageSize, count = result.Count, total_count = matching.Count, total_pages = (matching.Count + PageSize - 1) / PageSize },
        });
    }

    private static IResult Envelope(int status, int code, string message) => Results.Json(
        new { success = false, errors = new[] { new { code, message } }, messages = Array.Empty<object>(), result = (object?)null },
        new JsonSerializerOptions(), statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
