using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// What alerting keeps, and what its rules ask of the history. Kept beside the inventory so that
/// a restart neither re-fires an alert already sent nor forgets one not yet delivered, and the
/// changes that raise alerts are kept with the commit that made them (the outbox), so that a
/// collector that dies in between loses none.
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
    /// repeats are not among them.
    /// </summary>
    Task<IReadOnlyList<Alert>> RecordAsync(AlertRecord record, CancellationToken cancellationToken);

    /// <summary>Records the outcome of one attempt to deliver an alert to a sink.</summary>
    Task RecordDeliveryAsync(long alertId, AlertDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Every delivery not yet delivered nor given up, oldest alert first: what a restart sends.</summary>
    Task<IReadOnlyList<(Alert Alert, string Sink)>> PendingDeliveriesAsync(CancellationToken cancellationToken);

    /// <summary>The newest alerts first, with their deliveries and repeats.</summary>
    Task<IReadOnlyList<Alert>> RecentAlertsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>The conditions whose start was announced, by key, with the alert that announced it.</summary>
    Task<IReadOnlyDictionary<string, Alert>> OpenConditionsAsync(CancellationToken cancellationToken);

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

/// <summary>One row of the alert outbox: a commit's changes as <c>Watching/ChangeEvents</c> encoded them.</summary>
public sealed record PendingChanges(long Id, byte[] Events);

/// <summary>An alert to record, with its dedup key and window and the sinks it goes to.</summary>
public sealed record AlertToRaise(Alert Alert, string DedupKey, TimeSpan Window, IReadOnlyList<string> Sinks);

/// <summary>What <see cref="IAlertStore.RecordAsync"/> records in one transaction.</summary>
public sealed record AlertRecord(IReadOnlyList<AlertToRaise> Alerts)
{
    /// <summary>The outbox row these alerts were raised from, consumed with them.</summary>
    public long? Consumes { get; init; }

    /// <summary>Conditions whose start these alerts announce, by key, each with its announcing alert.</summary>
    public IReadOnlyDictionary<string, Alert> ConditionsStarted { get; init; } = new Dictionary<string, Alert>();

    /// <summary>Conditions whose end these alerts announce.</summary>
    public IReadOnlyCollection<string> ConditionsEnded { get; init; } = [];
}
