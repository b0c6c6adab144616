using System.Threading.Channels;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// Decides what is worth telling. It watches the change feed like any watcher and raises the
/// event alerts of each commit (<see cref="EventAlerts"/>); after each commit, and every
/// EvaluateEvery besides (time alone makes a host stale), it runs the audit and compares the
/// conditions that hold with those announced (<see cref="ConditionAlerts"/>). Each alert the rules
/// route is stored (a repeat within the dedup window only counted) and handed to the dispatcher.
/// </summary>
public sealed class AlertEngine(IInventoryStore inventory, IAlertStore store, ChangeFeed feed, AlertDispatcher dispatcher, IntervalRules rules,
    DnsRecordMonitor dns, CollectorMetrics metrics, IOptions<CollectorOptions> options, TimeProvider time, ILogger<AlertEngine> log) : BackgroundService
{
    /// <summary>Between two runs of the audit: at least this, and at least this many times the last run's duration.</summary>
    private static readonly TimeSpan MinimumSpacing = TimeSpan.FromSeconds(1);
    private const int IdleShare = 10;

    private readonly AlertOptions settings = options.Value.Alerts;
    private readonly AlertRouting routing = new(options.Value.Alerts);
    private readonly Channel<bool> evaluate = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ChangeFeed.Watcher? watcher;
    private IReadOnlyDictionary<(string Host, string Bridge), string> networks = new Dictionary<(string, string), string>();

    /// <summary>Subscribes before the collector serves, so that no commit goes unseen.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        watcher = feed.Subscribe(null, ownOnly: true);
        evaluate.Writer.TryWrite(true);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FollowChangesAsync(stoppingToken), EvaluateConditionsAsync(stoppingToken), TickAsync(stoppingToken));

    private async Task FollowChangesAsync(CancellationToken stoppingToken)
    {
        var events = new EventAlerts(store, routing, EventAlerts.Normalize(settings.WatchList));
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = new List<WatchEvent>();
            try
            {
                batch.Add(await watcher!.Events.ReadAsync(stoppingToken));
                while (batch.Count < ChangeFeed.QueueLength && watcher.Events.TryRead(out var next))
                {
                    batch.Add(next);
                }
            }
            catch (FellBehindException)
            {
                log.LogWarning("Alerts fell more than {Count} changes behind ingest; the changes in between raise no event alerts", ChangeFeed.QueueLength);
                watcher!.Dispose();
                watcher = feed.Subscribe(null, ownOnly: true);
                continue;
            }
            await GuardAsync("the alerts of a change", async () =>
            {
                var current = networks;
                foreach (var candidate in await events.FromAsync(batch, (host, bridge) => current.GetValueOrDefault((host, bridge)), stoppingToken))
                {
                    await RaiseAsync(candidate, stoppingToken);
                }
            }, stoppingToken);
            evaluate.Writer.TryWrite(true);
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.EvaluatePeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            evaluate.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Runs the audit when asked, but leaves at least <see cref="IdleShare"/> times its last
    /// duration (and a second) between two runs: under a stream of changes, a large cluster's audit
    /// takes a bounded share of a core, never all of it. The spacing is real time, as it is about
    /// the processor, not about the facts.
    /// </summary>
    private async Task EvaluateConditionsAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in evaluate.Reader.ReadAllAsync(stoppingToken))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await GuardAsync("the audit for alerts", () => EvaluateAsync(stoppingToken), stoppingToken);
            var spacing = TimeSpan.FromTicks(Math.Max(MinimumSpacing.Ticks, started.Elapsed.Ticks * IdleShare));
            if (spacing > started.Elapsed)
            {
                await Task.Delay(spacing - started.Elapsed, stoppingToken);
            }
        }
    }


    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (findings, state) = await ClusterAudit.RunAsync(inventory, rules, options.Value.Tunnels, now, null, dns.Current, cancellationToken);
        var names = state.Hosts.ToDictionary(h => h.Id, h => h.Name);
        networks = state.Networks.Where(n => n.Bridge.Length > 0 && names.ContainsKey(n.HostId))
            .GroupBy(n => (names[n.HostId], n.Bridge)).ToDictionary(g => g.Key, g => g.First().Name);

        var announced = await store.OpenConditionsAsync(cancellationToken);
        var current = ConditionAlerts.Current(findings, state.Hosts, rules, now, announced.Keys.ToHashSet(StringComparer.Ordinal));
        var started = current.Where(c => !announced.ContainsKey(c.Key)).ToDictionary(c => c.Key, c => c.Value.Alert, StringComparer.Ordinal);
        var ended = announced.Keys.Where(k => !current.ContainsKey(k)).ToList();
        if (started.Count + ended.Count == 0)
        {
            return;
        }
        foreach (var key in started.Keys)
        {
            await RaiseAsync(current[key], cancellationToken);
        }
        foreach (var key in ended)
        {
            await RaiseAsync(ConditionAlerts.Ended(key, announced[key], now), cancellationToken);
        }
        await store.UpdateConditionsAsync(started, ended, cancellationToken);
    }

    private async Task RaiseAsync(AlertCandidate candidate, CancellationToken cancellationToken)
    {
        if (routing.SinksFor(candidate) is not { } sinks)
        {
            return;
        }
        if (await store.RaiseAsync(candidate.Alert, candidate.DedupKey, settings.DedupWindowDuration, sinks, cancellationToken) is { } stored)
        {
            log.LogInformation("Alert {Id} {Rule}: {Summary}", stored.Id, stored.Rule, stored.Summary);
            metrics.AlertRaised(stored.Rule);
            await dispatcher.DispatchAsync(stored, cancellationToken);
        }
    }

    /// <summary>A failure of one evaluation is logged and the next one tried; alerting never stops the collector.</summary>
    private async Task GuardAsync(string what, Func<Task> work, CancellationToken stoppingToken)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            log.LogError(e, "Failed to work out {What}; the next change or evaluation tries again", what);
        }
    }

    public override void Dispose()
    {
        watcher?.Dispose();
        base.Dispose();
    }
}
