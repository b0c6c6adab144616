using DaemonNet.Collector.Audit;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// An alert on its way: the alert, the key that tells its repeats apart from news, and the
/// networks (libvirt network names and bridges) it concerns, for rules limited to networks.
/// </summary>
public sealed record AlertCandidate(Alert Alert, string DedupKey, IReadOnlySet<string> Networks);

/// <summary>The rules of Collector:Alerts:Rules applied: which kinds are looked for at all, and which sinks an alert goes to.</summary>
public sealed class AlertRouting(AlertOptions options)
{
    private readonly IReadOnlyList<AlertRuleOptions> rules = options.EffectiveRules;

    /// <summary>Whether any rule covers this kind: kinds no rule covers (vm-started by default) are not even looked for.</summary>
    public bool Wants(string kind) => rules.Any(r => r.Covers(kind));

    /// <summary>The sinks of every rule the alert matches (empty when no sink is configured); null when no rule matches, and the alert is not raised.</summary>
    public IReadOnlyList<string>? SinksFor(AlertCandidate candidate)
    {
        var alert = candidate.Alert;
        var hosts = alert.Evidence.Select(e => e.Host).Append(alert.Host).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
        var matching = rules.Where(r => r.Covers(alert.Rule)
            && alert.Severity >= (r.Severity ?? Severity.Info)
            && (r.Hosts.Count == 0 || r.Hosts.Any(hosts.Contains))
            && (r.Networks.Count == 0 || r.Networks.Any(candidate.Networks.Contains))).ToList();
        if (matching.Count == 0)
        {
            return null;
        }
        return matching.SelectMany(r => r.Sinks.Count == 0 ? options.Sinks.Keys.ToList() : r.Sinks).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
