using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// An alert in the collector's own terms: stored as a JSON document (<see cref="AlertDocument"/>),
/// mapped to the contract's Alert where it leaves the collector (the Alerts API, the webhook).
/// </summary>
/// <param name="At">When the change happened (the commit, or the evaluation that noticed it): Unix ms, the collector's clock.</param>
public sealed record Alert(string Rule, Severity Severity, long At, string Summary, string Action)
{
    /// <summary>Set once stored.</summary>
    public long Id { get; init; }

    /// <summary>The host the change is about or was seen on; empty for cluster-wide findings.</summary>
    public string Host { get; init; } = "";

    /// <summary>The objects involved: VM names, MACs, addresses, hosts, tunnels.</summary>
    public IReadOnlyList<string> Objects { get; init; } = [];

    public IReadOnlyList<EvidenceItem> Evidence { get; init; } = [];

    /// <summary>The audit finding behind finding-started, finding-ended and tunnel-over-limit.</summary>
    public Finding? Finding { get; init; }

    /// <summary>Repeats within the dedup window, counted instead of sent.</summary>
    public int Repeats { get; init; }

    public IReadOnlyList<AlertDelivery> Deliveries { get; init; } = [];
}

/// <summary>One sink's delivery of an alert; <paramref name="DeliveredAt"/> in Unix ms.</summary>
public sealed record AlertDelivery(string Sink, AlertDeliveryState State, int Attempts = 0, string LastError = "", long? DeliveredAt = null);
