using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using Google.Protobuf.WellKnownTypes;
using Contract = DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Query;

/// <summary>Alerts, findings and their evidence in the contract's terms: what the Alerts and Audit questions answer and the webhook sends.</summary>
public static class AlertReplies
{
    public static Contract.Alert ToContract(Alert alert)
    {
        var contract = new Contract.Alert
        {
            Id = alert.Id, Rule = alert.Rule, Severity = ToContract(alert.Severity), At = Time(alert.At), Summary = alert.Summary, Host = alert.Host,
            Action = alert.Action, Repeats = alert.Repeats, Finding = alert.Finding is { } finding ? ToContract(finding) : null,
        };
        contract.Objects.Add(alert.Objects);
        contract.Evidence.Add(alert.Evidence.Select(ToContract));
        contract.Deliveries.Add(alert.Deliveries.Select(ToContract));
        return contract;
    }

    public static Contract.AlertDelivery ToContract(AlertDelivery delivery) => new()
    {
        Sink = delivery.Sink, State = (Contract.DeliveryState)delivery.State, Attempts = delivery.Attempts, LastError = delivery.LastError,
        DeliveredAt = delivery.DeliveredAt is { } at ? Time(at) : null,
    };

    public static Contract.SinkStatus ToContract(SinkStatus sink) => new()
    {
        Name = sink.Name, Type = sink.Type, Target = sink.Target, Queued = sink.Queued, Delivered = sink.Delivered, Dead = sink.Dead,
    };

    public static Contract.Finding ToContract(Finding finding)
    {
        var contract = new Contract.Finding { Rule = finding.Rule, Severity = ToContract(finding.Severity), Summary = finding.Summary, Action = finding.Action };
        contract.Objects.Add(finding.Objects);
        contract.Evidence.Add(finding.Evidence.Select(ToContract));
        return contract;
    }

    public static Contract.Evidence ToContract(EvidenceItem evidence) => new()
    {
        Host = evidence.Host, Source = evidence.Source, Since = evidence.Since is { } since ? Time(since) : null, Detail = evidence.Detail,
    };

    public static Contract.Severity ToContract(Severity severity) => (Contract.Severity)severity;

    /// <summary>An alert stored by an earlier collector, as the contract's message, in the collector's terms.</summary>
    public static Alert FromContract(Contract.Alert alert) => new(alert.Rule, FromContract(alert.Severity), Ms(alert.At), alert.Summary, alert.Action)
    {
        Host = alert.Host,
        Objects = [.. alert.Objects],
        Evidence = [.. alert.Evidence.Select(FromContract)],
        Finding = alert.Finding is { } finding
            ? new Finding(finding.Rule, FromContract(finding.Severity), finding.Summary, [.. finding.Objects], [.. finding.Evidence.Select(FromContract)], finding.Action)
            : null,
    };

    private static EvidenceItem FromContract(Contract.Evidence evidence) =>
        new(evidence.Host, evidence.Source, evidence.Since is { } since ? Ms(since) : null, evidence.Detail);

    private static Severity FromContract(Contract.Severity severity) => severity == Contract.Severity.Unspecified ? Severity.Info : (Severity)severity;

    private static Timestamp Time(long unixMs) => Timestamp.FromDateTimeOffset(StoredTime.ToInstant(unixMs));

    private static long Ms(Timestamp? time) => time?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0;
}
