using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// What alerting keeps, and what its rules ask of the history. Kept beside the inventory so that
/// a restart neither re-fires an alert already sent nor forgets one not yet delivered.
/// </summary>
public interface IAlertStore
{
    /// <summary>
    /// Records an alert with a pending delivery to each sink, unless one with the same dedup key
    /// was raised or repeated within <paramref name="window"/> before it: then that one's repeat
    /// count grows instead. Returns the stored alert (with its id), or null when it was a repeat.
    /// </summary>
    Task<Alert?> RaiseAsync(Alert alert, string dedupKey, TimeSpan window, IReadOnlyList<string> sinks, CancellationToken cancellationToken);

    /// <summary>Records the outcome of one attempt to deliver an alert to a sink.</summary>
    Task RecordDeliveryAsync(long alertId, AlertDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Every delivery not yet delivered nor given up, oldest alert first: what a restart sends.</summary>
    Task<IReadOnlyList<(Alert Alert, string Sink)>> PendingDeliveriesAsync(CancellationToken cancellationToken);

    /// <summary>The newest alerts first, with their deliveries and repeats.</summary>
    Task<IReadOnlyList<Alert>> RecentAlertsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>The conditions whose start was announced, by key, with the alert that announced it.</summary>
    Task<IReadOnlyDictionary<string, Alert>> OpenConditionsAsync(CancellationToken cancellationToken);

    /// <summary>Records conditions that started (with their alert) and forgets those that ended, in one transaction.</summary>
    Task UpdateConditionsAsync(IReadOnlyDictionary<string, Alert> started, IReadOnlyCollection<string> ended, CancellationToken cancellationToken);

    /// <summary>Whether a NIC or address binding with this MAC began before the instant.</summary>
    Task<bool> MacSeenBeforeAsync(string mac, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Whether this MAC was bound to this address before the instant, by any source on any host.</summary>
    Task<bool> PairingSeenBeforeAsync(string mac, string ip, DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>
    /// The MAC that last held the address on this host before <paramref name="mac"/>, with whether
    /// it still holds it; null when no other MAC ever did.
    /// </summary>
    Task<(string Mac, bool StillHolds)?> PreviousHolderAsync(string host, string ip, string mac, CancellationToken cancellationToken);
}
