using System.Data.Common;
using DaemonNet.Collector;
using DaemonNet.Collector.Storage;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

const int usageError = 2;
const int startFailed = 1;
const int databaseLost = 3;

var parse = CollectorCommand.Create(RunAsync).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"daemonnet-collector: {error.Message}");
    }
    Console.Error.WriteLine("Run daemonnet-collector --help for the flags.");
    return usageError;
}
return await parse.InvokeAsync();

static async Task<int> RunAsync(Dictionary<string, string?> flags, CancellationToken cancellationToken)
{
    WebApplication app;
    try
    {
        app = CollectorApplication.Create(flags, CollectorApplication.SystemSettingsFile);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"daemonnet-collector: {e.Message}");
        return usageError;
    }
    await using var _ = app;
    CollectorOptions options;
    try
    {
        // Validate settings and open the database before listening, so a bad one stops us at once.
        options = app.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
        app.Services.GetRequiredService<Store>();
    }
    catch (OptionsValidationException e)
    {
        foreach (var failure in e.Failures)
        {
            Console.Error.WriteLine($"daemonnet-collector: {failure}");
        }
        return usageError;
    }
    catch (Exception e) when (e is DbException or FormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
    {
        Console.Error.WriteLine($"daemonnet-collector: cannot open the database: {e.Message}");
        return startFailed;
    }
    if (options.Insecure)
    {
        app.Logger.LogWarning("Running --insecure: plain HTTP/2 without TLS, so anyone who can reach {Listen} can write to the inventory", options.Listen);
    }
    await app.StartAsync(cancellationToken);
    // Only now is the port bound and the database open: scripts and tests wait for this line
    // before connecting, and systemd (Type=notify) for READY=1.
    var store = app.Services.GetRequiredService<Store>();
    app.Logger.LogInformation("Listening on {Listen} ({Transport}), storing in {Database}", options.Listen,
        options.Insecure ? "h2c, insecure" : "mutual TLS", store.Database.Name);
    var systemd = new SystemdNotifier();
    systemd.Notify(new ServiceState($"READY=1\nSTATUS=listening on {options.Listen}"));
    await using var stopWhenLost = store.Writer.Lost.Register(() =>
    {
        app.Logger.LogCritical("Lost the connection to {Database} ({Reason}); stopping, for the service manager to start the collector again",
            store.Database.Name, store.Writer.LostBecause?.Message);
        app.Lifetime.StopApplication();
    });
    await app.WaitForShutdownAsync(cancellationToken);
    systemd.Notify(ServiceState.Stopping);
    return store.Writer.LostBecause is null ? 0 : databaseLost;
}
