using DaemonNet.Collector.Alerting.Sinks;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Audit;
using AlertRules = DaemonNet.Protos.V1.AlertRules;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// The configured sinks, each with its <see cref="SinkQueue"/>. At start it queues again every
/// delivery a previous run left pending; then it runs each sink's sender until the collector stops.
/// </summary>
public sealed class AlertDispatcher : BackgroundService
{
    private readonly Dictionary<string, SinkQueue> queues = new(StringComparer.Ordinal);
    private readonly List<IAlertSink> sinks = [];
    private readonly IAlertStore store;
    private readonly TimeProvider time;
    private readonly ILogger<AlertDispatcher> log;

    public AlertDispatcher(IOptions<CollectorOptions> options, IAlertStore store, CollectorMetrics metrics, TimeProvider time, ILoggerFactory logs)
    {
        this.store = store;
        this.time = time;
        log = logs.CreateLogger<AlertDispatcher>();
        var alerts = options.Value.Alerts;
        var deadLetters = new DeadLetters(alerts.DeadLetterPath(options.Value.Db));
        foreach (var (name, settings) in alerts.Sinks)
        {
            IAlertSink sink = settings.Type switch
            {
                AlertSinkOptions.Webhook => new WebhookSink(settings),
                AlertSinkOptions.Syslog => new SyslogSink(settings),
                _ => new MailSink(settings),
            };
            sinks.Add(sink);
            queues[name] = new SinkQueue(name, settings, sink, store, deadLetters, metrics, time, logs.CreateLogger<SinkQueue>());
        }
    }

    public IReadOnlyList<SinkStatus> Statuses => queues.Values.Select(q => q.Status).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (stored, delivery) in await store.PendingDeliveriesAsync(cancellationToken))
        {
            if (queues.TryGetValue(delivery.Sink, out var queue))
            {
                await queue.OfferAsync(AlertDocument.Read(stored), cancellationToken);
            }
            else
            {
                await store.RecordDeliveryAsync(stored.Id, delivery with
                {
                    State = AlertDeliveryState.Dead, LastError = $"the sink {delivery.Sink} is no longer configured",
                }, cancellationToken);
            }
        }
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(queues.Values.Select(q => q.RunAsync(stoppingToken)));

    /// <summary>Queues a stored alert for each sink it has a delivery for.</summary>
    public async Task DispatchAsync(Alert alert, CancellationToken cancellationToken)
    {
        foreach (var delivery in alert.Deliveries)
        {
            await queues[delivery.Sink].OfferAsync(alert, cancellationToken);
        }
    }

    /// <summary>Raises a test alert for one sink and makes one attempt at once; null when no such sink is configured.</summary>
    public async Task<AlertDelivery?> TestAsync(string sink, CancellationToken cancellationToken)
    {
        if (!queues.TryGetValue(sink, out var queue))
        {
            return null;
        }
        var alert = new Alert(AlertRules.Test, Severity.Info, time.GetUtcNow().ToUnixTimeMilliseconds(),
            $"Test alert from daemonnet-collector on {Environment.MachineName} to the sink {sink}", "Nothing: it shows that alerts reach this sink.")
        {
            Objects = [sink],
        };
        // A key of its own: a test alert is never a repeat.
        var stored = (await store.RecordAsync(new AlertBatch([AlertDocument.New(alert, $"{AlertRules.Test}|{Guid.NewGuid()}", TimeSpan.Zero, [sink])]), cancellationToken))?
            .SingleOrDefault() ?? throw new InvalidOperationException("a test alert with a fresh key was counted as a repeat");
        var delivery = await queue.SendOnceAsync(AlertDocument.Read(stored), cancellationToken);
        log.LogInformation("Test alert {Id} to {Sink}: {State} {Error}", stored.Id, sink, delivery.State, delivery.LastError);
        return delivery;
    }

    public override void Dispose()
    {
        foreach (var sink in sinks.OfType<IDisposable>())
        {
            sink.Dispose();
        }
        base.Dispose();
    }
}
