using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaemonNet.Collector.Tests;

/// <summary>
/// The real collector application on a free loopback port with a real SQLite file, and gRPC
/// clients to it. Its clock is a fake one that tests move by hand.
/// </summary>
internal sealed class CollectorServer : IAsyncDisposable
{
    private readonly TempDirectory folder;
    private readonly WebApplication app;
    private readonly GrpcChannel channel;
    private Dictionary<string, string?>? settings;
    private bool realClock;
    private bool restarted;

    private CollectorServer(WebApplication app, string url, TempDirectory folder, FakeTimeProvider clock)
    {
        this.app = app;
        this.folder = folder;
        Url = url;
        Clock = clock;
        channel = GrpcChannel.ForAddress(url);
        Ingest = new Ingest.IngestClient(channel);
        Inventory = new Inventory.InventoryClient(channel);
        Alerts = new Alerts.AlertsClient(channel);
    }

    public FakeTimeProvider Clock { get; }

    public string Url { get; }

    public Ingest.IngestClient Ingest { get; }

    public Inventory.InventoryClient Inventory { get; }

    public Alerts.AlertsClient Alerts { get; }

    public string Folder => folder.Path;

    public string DatabasePath => folder.File("collector.db");

    /// <summary>Sends one snapshot as an agent would, on a stream of its own, and waits for the acknowledgement.</summary>
    public async Task ReportAsync(HostSnapshot snapshot)
    {
        using var call = Ingest.Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
        if (!await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            throw new InvalidOperationException($"the collector ended the stream without acknowledging {snapshot.Host.Name}'s snapshot");
        }
    }

    /// <param name="realClock">Run on the system clock instead (then <see cref="Clock"/> moves nothing): for tests of how long things take.</param>
    public static Task<CollectorServer> StartAsync(Dictionary<string, string?>? settings = null, bool realClock = false) =>
        StartAsync(settings, realClock, new TempDirectory(), new FakeTimeProvider(DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Stops this collector and starts another with the same settings, database and clock: a restart.</summary>
    public async Task<CollectorServer> RestartAsync()
    {
        await StopAsync();
        restarted = true;
        return await StartAsync(settings, realClock, folder, Clock);
    }

    private static async Task<CollectorServer> StartAsync(Dictionary<string, string?>? settings, bool realClock, TempDirectory folder, FakeTimeProvider clock)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Collector:Listen"] = "127.0.0.1:0",
            ["Collector:Db"] = folder.File("collector.db"),
            ["Collector:Insecure"] = "true",
        };
        foreach (var (key, value) in settings ?? [])
        {
            overrides[key] = value;
        }
        WebApplication? app = null;
        try
        {
            app = CollectorApplication.Create(overrides, settingsFile: null, services =>
            {
                if (!realClock)
                {
                    services.AddSingleton<TimeProvider>(clock);
                }
            });
            await app.StartAsync();
            // The main port: not the metrics port, when the test asked for one.
            var metrics = overrides.GetValueOrDefault("Collector:MetricsListen") ?? "";
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .Single(a => metrics.Length == 0 || !a.EndsWith(metrics[metrics.LastIndexOf(':')..], StringComparison.Ordinal));
            return new CollectorServer(app, url, folder, clock) { settings = settings, realClock = realClock };
        }
        catch
        {
            // A collector that did not start leaves nothing behind: its folder goes with it.
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (restarted)
        {
            return;
        }
        await StopAsync();
        folder.Dispose();
    }

    private async Task StopAsync()
    {
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
