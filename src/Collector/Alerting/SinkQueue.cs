using System.Threading.Channels;
using DaemonNet.Collector.Alerting.Sinks;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// One sink's queue and its single sender. Alerts go out in the order they were raised: a failed
/// attempt is retried, after a wait that doubles from RetryDelay up to five minutes, before the
/// next alert is tried. An alert still failing after RetryFor, or one that finds QueueLength
/// alerts already waiting, is dead-lettered: recorded so, counted, logged and written to the
/// dead-letter log. Every attempt's outcome is stored, so a restart resends what is pending.
/// </summary>
public sealed class SinkQueue(string name, AlertSinkOptions options, IAlertSink sink, IAlertStore store, DeadLetters deadLetters, CollectorMetrics metrics,
    TimeProvider time, ILogger log)
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(5);

    private readonly Channel<Alert> queue = Channel.CreateUnbounded<Alert>(new UnboundedChannelOptions { SingleReader = true });
    private int waiting;
    private long delivered;
    private long dead;

    public string Name => name;

    public SinkStatus Status => new(name, options.Type, options.Target, Volatile.Read(ref waiting), Interlocked.Read(ref delivered), Interlocked.Read(ref dead));

    /// <summary>Queues an alert; when QueueLength alerts already wait, dead-letters it instead.</summary>
    public async Task OfferAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref waiting) > options.QueueLength)
        {
            Interlocked.Decrement(ref waiting);
            await GiveUpAsync(alert, Attempts(alert), $"the queue of {options.QueueLength} alerts for {name} was full", cancellationToken);
            return;
        }
        queue.Writer.TryWrite(alert);
    }

    /// <summary>One attempt, outside the queue and without retries: the test alert.</summary>
    public async Task<AlertDelivery> SendOnceAsync(Alert alert, CancellationToken cancellationToken)
    {
        StoredDelivery delivery;
        try
        {
            await sink.SendAsync(alert, cancellationToken);
            delivery = new StoredDelivery(name, AlertDeliveryState.Delivered, 1, "", time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (AlertSinkException e)
        {
            delivery = new StoredDelivery(name, AlertDeliveryState.Dead, 1, e.Message, null);
        }
        await store.RecordDeliveryAsync(alert.Id, delivery, cancellationToken);
        return new AlertDelivery(delivery.Sink, delivery.State, delivery.Attempts, delivery.LastError, delivery.DeliveredAt);
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var alert in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await DeliverAsync(alert, stoppingToken);
            Interlocked.Decrement(ref waiting);
        }
    }

    private async Task DeliverAsync(Alert alert, CancellationToken stoppingToken)
    {
        var attempts = Attempts(alert);
        var giveUpAt = time.GetUtcNow() + options.RetryForDuration;
        var wait = options.RetryDelayDuration;
        while (true)
        {
            attempts++;
            string error;
            try
            {
                await sink.SendAsync(alert, stoppingToken);
                await RecordAsync(alert.Id, new StoredDelivery(name, AlertDeliveryState.Delivered, attempts, "", time.GetUtcNow().ToUnixTimeMilliseconds()), stoppingToken);
                Interlocked.Increment(ref delivered);
                metrics.AlertDelivery(name, delivered: true);
                return;
            }
            catch (AlertSinkException e)
            {
                error = e.Message;
            }
            if (time.GetUtcNow() + wait > giveUpAt)
            {
                await GiveUpAsync(alert, attempts, $"still failing after {options.RetryFor}: {error}", stoppingToken);
                return;
            }
            if (attempts == 1)
            {
                log.LogWarning("Alert {Id} to {Sink} failed, retrying: {Error}", alert.Id, name, error);
            }
            await RecordAsync(alert.Id, new StoredDelivery(name, AlertDeliveryState.Pending, attempts, error, null), stoppingToken);
            await Task.Delay(wait, time, stoppingToken);
            wait = wait * 2 > LongestWait ? LongestWait : wait * 2;
        }
    }

    private async Task GiveUpAsync(Alert alert, int attempts, string reason, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref dead);
        metrics.AlertDelivery(name, delivered: false);
        log.LogError("Alert {Id} ({Rule}) to {Sink} is dead-lettered to {File}: {Reason}", alert.Id, alert.Rule, name, deadLetters.Path, reason);
        deadLetters.Write(name, reason, alert, time.GetUtcNow());
        await RecordAsync(alert.Id, new StoredDelivery(name, AlertDeliveryState.Dead, attempts, reason, null), cancellationToken);
    }

    /// <summary>
    /// Records an attempt's outcome, trying again every second while the database cannot take it
    /// (PostgreSQL restarting): the queue waits rather than lose the outcome, and never stops the collector.
    /// </summary>
    private async Task RecordAsync(long alertId, StoredDelivery delivery, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.RecordDeliveryAsync(alertId, delivery, stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    log.LogWarning("Cannot record alert {Id}'s delivery to {Sink} ({Reason}); trying again every second", alertId, name, e.Message);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private int Attempts(Alert alert) => alert.Deliveries.FirstOrDefault(d => d.Sink == name)?.Attempts ?? 0;
}

/// <summary>A sink's queue as it stands: what waits, what was delivered and given up since the collector started.</summary>
public sealed record SinkStatus(string Name, string Type, string Target, int Queued, long Delivered, long Dead);
