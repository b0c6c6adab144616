using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// Starts the <see cref="ListeningClock"/> when the server listens, and then looks at it every
/// <see cref="ListeningClock.Tick"/> of real time (the gap it watches for is real, whatever clock
/// the collector keeps), so that only a collector that was not running leaves a gap.
/// </summary>
public sealed class ListeningTicker(ListeningClock clock, TimeProvider time, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var listening = lifetime.ApplicationStarted.Register(() => clock.ListeningFrom(time.GetUtcNow()));
        using var timer = new PeriodicTimer(ListeningClock.Tick);
        do
        {
            clock.SinceMs(time.GetUtcNow());
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
