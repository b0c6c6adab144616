namespace DaemonNet.Collector.Storage;

/// <summary>
/// What alerting keeps, and what its rules ask of the history. Kept beside the inventory so that
/// a restart neither re-fires an alert already sent nor forgets one not yet delivered, and the
/// changes that raise alerts are kept with the commit that made them (the outbox), so that a
/// collector that dies in between loses none. An alert is stored as its rule, time and dedup key
/// in columns and the rest as a document the alerting code writes and reads.
/// </summary>
public interface IAlertStore
{
    /// <summary>
    /// The committed changes no alert was raised for yet, oldest first: this collector's own, and
    /// those another collector of a shared database left behind when it stopped.
    /// </summary>
    Task<IReadOnlyList<PendingChanges>> PendingChangesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: consumes the outbox row the alerts were raised from (when one is given;
    /// if another collector consumed it already, nothing is recorded), records each alert with a
    /// pending delivery to each of its sinks (unless one with the same dedup key was raised or
    /// repeated within its window before it: then that one's repeat count grows instead), and
    /// records the conditions that started and ended. Returns the alerts stored, with their ids;
    /// repeats are not among them. Returns null, having recorded nothing, when the conditions the
    /// batch was judged against (<see cref="AlertBatch.JudgedAgainst"/>) changed in the meantime.
    /// </summary>
    Task<IReadOnlyList<StoredAlert>?> RecordAsync(AlertBatch batch, CancellationToken cancellationToken);

    /// <summary>Records the outcome of one attempt to deliver an alert to a sink.</summary>
    Task RecordDeliveryAsync(long alertId, StoredDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Every delivery not yet delivered nor given up, oldest alert first: what a restart sends.</summary>
    Task<IReadOnlyList<(StoredAlert Alert, StoredDelivery Delivery)>> PendingDeliveriesAsync(CancellationToken cancellationToken);

    /// <summary>The newest alerts first, with their deliveries and repeats.</summary>
    Task<IReadOnlyList<StoredAlert>> RecentAlertsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>The conditions that hold as far as alerting knows, by key, each with the document of the alert that started it.</summary>
    Task<IReadOnlyDictionary<string, OpenCondition>> OpenConditionsAsync(CancellationToken cancellationToken);

    /// <summary>Whether a NIC or address binding with this MAC began before the instant.</summary>
    Task<bool> MacSeenBeforeAsync(string mac, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Whether this MAC was bound to this address before the instant, by any source on any host.</summary>
    Task<bool> PairingSeenBeforeAsync(string mac, string ip, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>
    /// The MAC that last held the address on this host before <paramref name="mac"/> took it at
    /// <paramref name="at"/>, with whether it still held it then; null when no other MAC ever did.
    /// </summary>
    Task<(string Mac, bool StillHolds)?> PreviousHolderAsync(string host, string ip, string mac, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>One row of the alert outbox: a commit's changes as the change feed encoded them.</summary>
public sealed record PendingChanges(long Id, byte[] Events);

/// <summary>Where an alert's delivery to one sink stands.</summary>
public enum AlertDeliveryState
{
    /// <summary>Queued or being retried.</summary>
    Pending = 1,
    Delivered = 2,

    /// <summary>Given up after the retry time, or dropped because the sink's queue was full.</summary>
    Dead = 3,
}

/// <summary>An alert as stored: its columns, its document, and its deliveries.</summary>
public sealed record StoredAlert(long Id, string Rule, long At, int Repeats, byte[] Document, IReadOnlyList<StoredDelivery> Deliveries);

/// <summary>One sink's delivery of an alert, as stored; <paramref name="DeliveredAt"/> in Unix ms.</summary>
public sealed record StoredDelivery(string Sink, AlertDeliveryState State, int Attempts, string LastError, long? DeliveredAt);

/// <summary>An alert to record: its rule, time (Unix ms) and document, its dedup key and window, and the sinks it goes to.</summary>
/// <param name="Document">The alert that started the condition.</param>
/// <param name="Since">When it started (Unix ms): a condition that ended and started again is another one.</param>
/// <param name="Announced">
/// Whether that alert was sent; false when it came back within the dedup window and was counted as
/// a repeat instead. Its end is then not sent either, so that receivers see starts and ends alternate.
/// </param>
public sealed record OpenCondition(byte[] Document, long Since, bool Announced);

public sealed record NewAlert(string Rule, long At, byte[] Document, string DedupKey, TimeSpan Window, IReadOnlyList<string> Sinks);

/// <summary>What <see cref="IAlertStore.RecordAsync"/> records in one transaction.</summary>
public sealed record AlertBatch(IReadOnlyList<NewAlert> Alerts)
{
    /// <summary>The outbox row these alerts were raised from, consumed with them.</summary>
    public long? Consumes { get; init; }

    /// <summary>Conditions whose start these alerts announce, by key, each with its announcing alert's document and time.</summary>
    public IReadOnlyDictionary<string, (byte[] Document, long At)> ConditionsStarted { get; init; } = new Dictionary<string, (byte[], long)>(StringComparer.Ordinal);

    /// <summary>Conditions whose end these alerts announce.</summary>
    public IReadOnlyCollection<string> ConditionsEnded { get; init; } = [];

    /// <summary>
    /// The open conditions, as <see cref="IAlertStore.OpenConditionsAsync"/> read them, that the
    /// started and ended ones were judged against. Collectors sharing a database judge the same
    /// conditions; when another recorded its judgement in between, this one is stale and nothing
    /// of the batch is recorded (its start could otherwise follow an end the other announced, or
    /// its end a start it never saw).
    /// </summary>
    public IReadOnlyDictionary<string, OpenCondition>? JudgedAgainst { get; init; }
}
