using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaemonNet.Collector.Tests.Alerting;

/// <summary>
/// A real HTTP server on a loopback port that takes webhook POSTs: it keeps every request (body and
/// headers) in arrival order, answers 500 to as many as it is told to, and can be down (not
/// listening) until started.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Request> requests = new();
    private WebApplication? app;
    private int failures;

    public WebhookReceiver(int port) => Port = port;

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>Every request received, in order, including those answered with a failure.</summary>
    public IReadOnlyList<Request> Requests => [.. requests];

    /// <summary>The requests answered 200, in order.</summary>
    public IReadOnlyList<Request> Accepted => [.. requests.Where(r => r.Accepted)];

    public void FailNext(int count) => Interlocked.Exchange(ref failures, count);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var accepted = Interlocked.Decrement(ref failures) < 0;
            requests.Enqueue(new Request(body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), accepted));
            return accepted ? Results.Ok() : Results.StatusCode(500);
        });
        await app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public sealed record Request(string Body, IReadOnlyDictionary<string, string> Headers, bool Accepted);
}
