using System.Threading.Channels;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// Decides what is worth telling. The store keeps each commit's changes in an outbox, in the
/// commit's own transaction; this engine raises their event alerts (<see cref="EventAlerts"/>) and
/// consumes the row in the transaction that records them, so that a collector that dies between a
/// commit and its alerts raises them when it starts again (or, on a shared database, another
/// collector does). After each commit, and every EvaluateEvery besides (time alone makes a host
/// stale), it runs the audit and compares the conditions that hold with those announced
/// (<see cref="ConditionAlerts"/>). Each alert the rules route is stored (a repeat within the dedup
/// window only counted) and handed to the dispatcher.
/// </summary>
public sealed class AlertEngine(IStateReader inventory, IAlertStore store, ChangeFeed feed, AlertDispatcher dispatcher, IntervalRules rules,
    DnsRecordMonitor dns, AddressNames addressNames, CollectorMetrics metrics, IOptions<CollectorOptions> options, TimeProvider time, ILogger<AlertEngine> log)
    : BackgroundService
{
    /// <summary>Outbox rows read at a time.</summary>
    private const int OutboxBatch = 64;

    /// <summary>How often the outbox is read without a commit ringing: rows a stopped collector left behind.</summary>
    private static readonly TimeSpan OutboxPoll = TimeSpan.FromSeconds(5);

    private readonly AlertOptions settings = options.Value.Alerts;
    private readonly AlertRouting routing = new(options.Value.Alerts);
    private readonly Channel<bool> evaluate = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private IReadOnlyDictionary<(string Host, string Bridge), string> networks = new Dictionary<(string, string), string>();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        evaluate.Writer.TryWrite(true);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FollowOutboxAsync(stoppingToken), EvaluateConditionsAsync(stoppingToken), TickAsync(stoppingToken));

    private async Task FollowOutboxAsync(CancellationToken stoppingToken)
    {
        var events = new EventAlerts(store, routing, EventAlerts.Normalize(settings.WatchList));
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before reading, so that a commit while the outbox is read rings for the next round.
            var doorbell = feed.NextCommitAsync();
            var raised = 0;
            await GuardAsync("the alerts of committed changes", async () => raised = await RaisePendingAsync(events, stoppingToken), stoppingToken);
            if (raised > 0)
            {
                evaluate.Writer.TryWrite(true);
            }
            await doorbell.WaitAsync(OutboxPoll, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Raises the event alerts of every outbox row waiting; returns how many rows it consumed.</summary>
    private async Task<int> RaisePendingAsync(EventAlerts events, CancellationToken stoppingToken)
    {
        var consumed = 0;
        while (true)
        {
            var pending = await store.PendingChangesAsync(OutboxBatch, stoppingToken);
            foreach (var row in pending)
            {
                IReadOnlyList<ChangeEvent> changes;
                try
                {
                    changes = ChangeEvents.Decode(row.Events);
                }
                catch (System.Text.Json.JsonException e)
                {
                    log.LogWarning("Dropped outbox row {Id}, whose changes do not decode ({Reason}); they raise no alerts", row.Id, e.Message);
                    await store.RecordAsync(new AlertBatch([]) { Consumes = row.Id }, stoppingToken);
                    continue;
                }
                var current = networks;
                var candidates = await events.FromAsync(changes, (host, bridge) => current.GetValueOrDefault((host, bridge)), stoppingToken);
                await RecordAsync(new AlertBatch(Routed(candidates)) { Consumes = row.Id }, stoppingToken);
                consumed++;
            }
            if (pending.Count < OutboxBatch)
            {
                return consumed;
            }
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
    /// Runs the audit when asked, with <see cref="AuditSpacing"/> between two runs. The spacing is
    /// real time, as it is about the processor, not about the facts.
    /// </summary>
    private async Task EvaluateConditionsAsync(CancellationToken stoppingToken)
    {
        var spacing = new AuditSpacing();
        await foreach (var _ in evaluate.Reader.ReadAllAsync(stoppingToken))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await GuardAsync("the audit for alerts", () => EvaluateAsync(stoppingToken), stoppingToken);
            await Task.Delay(spacing.After(started.Elapsed), stoppingToken);
        }
    }


    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        // Read before the clock: whatever another collector recorded after this read is caught at
        // the record, and whatever it recorded before carries an earlier time than this judgement.
        var open = await store.OpenConditionsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var (findings, state) = await ClusterAudit.RunAsync(inventory, rules, options.Value.Tunnels, now, null, dns.Current,
            addressNames.CanResolve ? addressNames.NameOf : null, cancellationToken);
        var names = state.Hosts.ToDictionary(h => h.Id, h => h.Name);
        networks = state.Networks.Where(n => n.Bridge.Length > 0 && names.ContainsKey(n.HostId))
            .GroupBy(n => (names[n.HostId], n.Bridge)).ToDictionary(g => g.Key, g => g.First().Name);

        var current = ConditionAlerts.Current(findings, state.Hosts, rules, now, open.Keys.ToHashSet(StringComparer.Ordinal));
        var started = current.Where(c => !open.ContainsKey(c.Key)).ToDictionary(c => c.Key, c => c.Value.Alert, StringComparer.Ordinal);
        var ended = open.Keys.Where(k => !current.ContainsKey(k)).ToList();
        if (started.Count + ended.Count == 0)
        {
            return;
        }
        // A condition whose start was counted as a repeat ends as quietly: receivers see starts and ends alternate.
        var alerts = started.Keys.Select(key => current[key])
            .Concat(ended.Where(key => open[key].Announced).Select(key => ConditionAlerts.Ended(key, AlertDocument.Read(open[key].Document), now))).ToList();
        // The conditions are recorded as announced in the transaction that stores their alerts.
        var recorded = await RecordAsync(new AlertBatch(Routed(alerts))
        {
            ConditionsStarted = started.ToDictionary(s => s.Key, s => (AlertDocument.Write(s.Value), s.Value.At), StringComparer.Ordinal),
            ConditionsEnded = ended,
            JudgedAgainst = open,
        }, cancellationToken);
        if (!recorded)
        {
            log.LogDebug("Another collector recorded the conditions first; judging them again");
            evaluate.Writer.TryWrite(true);
        }
    }

    /// <summary>The candidates some sink wants, with their sinks and dedup window.</summary>
    private List<NewAlert> Routed(IEnumerable<AlertCandidate> candidates) =>
        [.. candidates.Select(c => routing.SinksFor(c) is { } sinks ? AlertDocument.New(c.Alert, c.DedupKey, settings.DedupWindowDuration, sinks) : null)
            .OfType<NewAlert>()];

    /// <summary>Records the batch and dispatches the alerts stored; false when it was judged against conditions changed since.</summary>
    private async Task<bool> RecordAsync(AlertBatch batch, CancellationToken cancellationToken)
    {
        if (await store.RecordAsync(batch, cancellationToken) is not { } raised)
        {
            return false;
        }
        foreach (var stored in raised)
        {
            var alert = AlertDocument.Read(stored);
            log.LogInformation("Alert {Id} {Rule}: {Summary}", alert.Id, alert.Rule, alert.Summary);
            metrics.AlertRaised(alert.Rule);
            await dispatcher.DispatchAsync(alert, cancellationToken);
        }
        return true;
    }

    /// <summary>A failure of one evaluation is logged and the next one tried; alerting never stops the collector.</summary>
    private Task GuardAsync(string what, Func<Task> work, CancellationToken stoppingToken) => BackgroundRounds.RunAsync(what, work, log, stoppingToken);
}
