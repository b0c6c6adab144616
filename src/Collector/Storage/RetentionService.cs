using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// With a retention set, deletes intervals that ended before the horizon, a minute after start
/// and then hourly. Open intervals are never deleted, however old: they still hold.
/// </summary>
public sealed class RetentionService(IInventoryStore store, IOptions<CollectorOptions> options, TimeProvider time, ILogger<RetentionService> log)
    : BackgroundService
{
    private static readonly TimeSpan FirstPass = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDuration is not { } retention)
        {
            return;
        }
        await Task.Delay(FirstPass, time, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var horizon = time.GetUtcNow() - retention;
            var removed = await store.PruneAsync(horizon, stoppingToken);
            log.LogInformation("Retention: removed {Rows} intervals that ended before {Horizon:u}", removed, horizon);
            await Task.Delay(Period, time, stoppingToken);
        }
    }
}
