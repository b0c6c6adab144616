using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// A minute after start and then hourly: sums aged traffic rows into coarser ones and, with a
/// retention set, deletes intervals that ended before the horizon. Open intervals are never
/// deleted, however old: they still hold.
/// </summary>
public sealed class RetentionService(IRetentionStore store, IOptions<CollectorOptions> options, TimeProvider time, ILogger<RetentionService> log)
    : BackgroundService
{
    private static readonly TimeSpan FirstPass = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(FirstPass, time, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await DaemonNet.Collector.Operations.BackgroundRounds.RunAsync("retention and traffic", async () =>
            {
                var now = time.GetUtcNow();
                var summed = await store.DownsampleTrafficAsync(options.Value.TrafficResolution, now, stoppingToken);
                if (summed > 0)
                {
                    log.LogInformation("Traffic: summed {Rows} aged rows into coarser ones", summed);
                }
                if (options.Value.RetentionDuration is { } retention)
                {
                    var horizon = now - retention;
                    var removed = await store.PruneAsync(horizon, stoppingToken);
                    log.LogInformation("Retention: removed {Rows} intervals that ended before {Horizon:u}", removed, horizon);
                }
            }, log, stoppingToken);
            await Task.Delay(Period, time, stoppingToken);
        }
    }
}
