using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Query;
using Google.Protobuf;

namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>An alert written out: as the JSON document a webhook receives, and as text for syslog and mail.</summary>
public static class AlertText
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>The alert without its delivery state, which is the sender's business, as the HTTP API writes it.</summary>
    public static string Json(Alert alert) => Formatter.Format(AlertReplies.ToContract(alert with { Deliveries = [] }));

    public static string Severity(Severity severity) => severity switch
    {
        Audit.Severity.Critical => "critical",
        Audit.Severity.Warning => "warning",
        _ => "info",
    };

    /// <summary>One line: severity, rule, summary.</summary>
    public static string Headline(Alert alert) => $"{Severity(alert.Severity).ToUpperInvariant()} {alert.Rule}: {alert.Summary}";

    /// <summary>The evidence, one line each, as <c>daemonnet audit</c> prints it.</summary>
    public static IEnumerable<string> Evidence(Alert alert) => alert.Evidence.Select(e =>
        $"{e.Host} ({e.Source}{(e.Since is { } since ? $" since {StoredTime.ToInstant(since):yyyy-MM-dd HH:mm:ss}Z" : "")}): {e.Detail}");

    /// <summary>The whole alert as lines of text: what a mail says.</summary>
    public static string Body(Alert alert)
    {
        var lines = new List<string> { Headline(alert), "", $"When:     {StoredTime.ToInstant(alert.At):yyyy-MM-dd HH:mm:ss}Z (collector's clock)" };
        if (alert.Host.Length > 0)
        {
            lines.Add($"Host:     {alert.Host}");
        }
        if (alert.Objects.Count > 0)
        {
            lines.Add($"Involves: {string.Join(", ", alert.Objects)}");
        }
        lines.Add("");
        lines.Add("Evidence:");
        lines.AddRange(Evidence(alert).Select(e => $"  {e}"));
        lines.Add("");
        lines.Add($"What to do: {alert.Action}");
        lines.Add("");
        lines.Add($"Alert {alert.Id}; daemonnet alerts lists the recent ones.");
        return string.Join("\r\n", lines);
    }
}
