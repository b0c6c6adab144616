using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using Microsoft.Extensions.Hosting;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// Tells watchers when a host goes stale or comes back. No commit announces a silence (time
/// passing makes it), so the hosts are looked at every second: one small query, against the
/// store's host table.
/// </summary>
public sealed class StalenessMonitor(IStateReader store, IntervalRules rules, ChangeFeed feed, TimeProvider time, ILogger<StalenessMonitor> log)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private Dictionary<string, bool> stale = [];

    /// <summary>Takes the first look before the collector serves, so that no change goes unseen as the baseline.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        stale = await StaleHostsAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await BackgroundRounds.RunAsync("which hosts are stale", async () =>
            {
                var now = time.GetUtcNow();
                var current = await StaleHostsAsync(stoppingToken);
                // A host first seen already stale counts as a change; one first seen fresh does not.
                feed.Publish(current.Where(h => stale.TryGetValue(h.Key, out var was) ? was != h.Value : h.Value)
                    .Select(h => ChangeEvents.Host(h.Key, h.Value, now)).ToList());
                stale = current;
            }, log, stoppingToken);
        }
    }

    private async Task<Dictionary<string, bool>> StaleHostsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await store.ListHostsAsync(cancellationToken)).ToDictionary(h => h.Name, h => rules.IsSilent(h, now), StringComparer.Ordinal);
    }
}
