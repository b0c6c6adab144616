using DaemonNet.Collector.Audit;
using DaemonNet.Protos.Formats;
using AlertRules = DaemonNet.Protos.V1.AlertRules;

namespace DaemonNet.Collector.Alerting;

/// <summary>Section Collector:Alerts: where alerts go (sinks), which go where (rules), and how quiet to be.</summary>
public sealed class AlertOptions
{
    /// <summary>An alert whose dedup key was raised or repeated within this time is counted as a repeat, not sent.</summary>
    public string DedupWindow { get; set; } = "15m";

    /// <summary>How often the audit and the hosts' staleness are looked at, besides after each change.</summary>
    public string EvaluateEvery { get; set; } = "10s";

    /// <summary>MACs and addresses whose appearance anywhere raises a watch-list alert.</summary>
    public List<string> WatchList { get; set; } = [];

    /// <summary>Where deliveries that gave up are written, one JSON line each; empty means alerts-dead-letter.jsonl beside the database.</summary>
    public string DeadLetterFile { get; set; } = "";

    public Dictionary<string, AlertSinkOptions> Sinks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Which alerts go to which sinks; none means one rule that sends every alert on by default to every sink.</summary>
    public List<AlertRuleOptions> Rules { get; set; } = [];

    public TimeSpan DedupWindowDuration => DurationText.TryParse(DedupWindow, out var window) ? window : TimeSpan.FromMinutes(15);

    public TimeSpan EvaluatePeriod => DurationText.TryParse(EvaluateEvery, out var every) && every > TimeSpan.Zero ? every : TimeSpan.FromSeconds(10);

    public IReadOnlyList<AlertRuleOptions> EffectiveRules => Rules.Count > 0 ? Rules : [new AlertRuleOptions()];

    public string DeadLetterPath(string db) => DeadLetterFile.Length > 0
        ? DeadLetterFile
        : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(db)) ?? "", "alerts-dead-letter.jsonl");

    public IEnumerable<string> Problems()
    {
        const string At = "Collector:Alerts";
        if (!DurationText.TryParse(DedupWindow, out _))
        {
            yield return $"{At}:DedupWindow '{DedupWindow}' is not a duration: use {DurationText.AcceptedForms}";
        }
        if (!DurationText.TryParse(EvaluateEvery, out var every) || every <= TimeSpan.Zero)
        {
            yield return $"{At}:EvaluateEvery '{EvaluateEvery}' is not a positive duration: use {DurationText.AcceptedForms}";
        }
        foreach (var item in WatchList.Where(i => !MacAddressText.TryNormalize(i, out _) && !System.Net.IPAddress.TryParse(i, out _)))
        {
            yield return $"{At}:WatchList entry '{item}' is neither a MAC (52:54:00:12:34:56) nor an IP address";
        }
        foreach (var (name, sink) in Sinks)
        {
            foreach (var problem in sink.Problems($"{At}:Sinks:{name}"))
            {
                yield return problem;
            }
        }
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            foreach (var kind in rule.When.Where(k => !AlertRules.IsKnown(k)))
            {
                yield return $"{At}:Rules:{i}:When names '{kind}', which is no alert; the alerts are {string.Join(", ", AlertRules.All.Select(r => r.Name))}";
            }
            foreach (var sink in rule.Sinks.Where(s => !Sinks.ContainsKey(s)))
            {
                yield return $"{At}:Rules:{i}:Sinks names '{sink}', which Collector:Alerts:Sinks does not define";
            }
            if (rule.Severity is null)
            {
                yield return $"{At}:Rules:{i}:MinSeverity '{rule.MinSeverity}' is not info, warning or critical";
            }
        }
    }
}

/// <summary>One rule: which alerts (by kind, host, network and severity) go to which sinks.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>Alert kinds (AlertRules); empty means every kind on by default.</summary>
    public List<string> When { get; set; } = [];

    /// <summary>Sink names; empty means every sink.</summary>
    public List<string> Sinks { get; set; } = [];

    /// <summary>Only alerts about these hosts; empty means any.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>Only alerts about these libvirt networks or bridges; empty means any.</summary>
    public List<string> Networks { get; set; } = [];

    public string MinSeverity { get; set; } = "info";

    public Severity? Severity => MinSeverity.ToLowerInvariant() switch
    {
        "info" => Audit.Severity.Info,
        "warning" => Audit.Severity.Warning,
        "critical" => Audit.Severity.Critical,
        _ => null,
    };

    public bool Covers(string kind) => When.Count == 0 ? AlertRules.OnByDefault.Contains(kind, StringComparer.Ordinal) : When.Contains(kind);
}
