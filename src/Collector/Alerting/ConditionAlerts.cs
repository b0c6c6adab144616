using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using AlertRules = DaemonNet.Protos.V1.AlertRules;
using AuditRules = DaemonNet.Protos.V1.AuditRules;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// Conditions are what holds for a while: an audit finding, a stale host. Each gets a stable key;
/// the alerts announce a key appearing (finding-started, tunnel-over-limit, host-stale) and
/// disappearing (finding-ended, host-back). Which keys were announced is kept, so that a restart
/// announces only what changed, including what changed while the collector was down.
/// </summary>
public static class ConditionAlerts
{
    /// <summary>Every condition that holds now, by key, each with the alert that announces its start.</summary>
    /// <param name="announced">The conditions announced before: a host announced stale stays so until it reports, even across a restart of the collector.</param>
    public static Dictionary<string, AlertCandidate> Current(IEnumerable<Finding> findings, IEnumerable<HostRow> hosts, IntervalRules rules, DateTimeOffset now,
        IReadOnlySet<string> announced)
    {
        var at = now.ToUnixTimeMilliseconds();
        var conditions = new Dictionary<string, AlertCandidate>(StringComparer.Ordinal);
        // A silent host is host-stale's; its audit finding would say the same twice.
        foreach (var finding in findings.Where(f => f.Rule != AuditRules.HostSilent))
        {
            var key = $"finding|{finding.Rule}|{finding.Severity}|{string.Join('|', finding.Objects)}";
            var rule = finding.Rule == AuditRules.TunnelNearLimit && finding.Severity == Severity.Critical ? AlertRules.TunnelOverLimit : AlertRules.FindingStarted;
            var hostsInvolved = finding.Evidence.Select(e => e.Host).Distinct(StringComparer.Ordinal).ToList();
            var alert = new Alert(rule, finding.Severity, at, finding.Summary, finding.Action)
            {
                Finding = finding, Host = hostsInvolved.Count == 1 ? hostsInvolved[0] : "", Objects = finding.Objects, Evidence = finding.Evidence,
            };
            conditions.TryAdd(key, new AlertCandidate(alert, key, finding.Objects.ToHashSet(StringComparer.Ordinal)));
        }
        foreach (var host in hosts.Where(h => rules.IsSilent(h, now) || (announced.Contains(StaleKey(h.Name)) && rules.SilentSinceLastReport(h, now))))
        {
            var key = StaleKey(host.Name);
            var lastReport = StoredTime.ToInstant(host.LastReport);
            var alert = new Alert(AlertRules.HostStale, Severity.Warning, at,
                $"{host.Name} has not reported since {lastReport:yyyy-MM-dd HH:mm:ss}Z (stale after {rules.SilenceLimit(host.IntervalMs)})",
                $"Check daemonnet-agent on {host.Name} (systemctl status daemonnet-agent) and its way to the collector; until it reports, its facts are as of its last report.")
            {
                Host = host.Name, Objects = [host.Name], Evidence = [new EvidenceItem(host.Name, "collector", host.LastReport, "its last report")],
            };
            conditions[key] = new AlertCandidate(alert, key, new HashSet<string>(StringComparer.Ordinal));
        }
        return conditions;
    }

    private static string StaleKey(string host) => $"host-stale|{host}";

    /// <summary>The alert that announces the end of a condition, from the one that announced its start.</summary>
    public static AlertCandidate Ended(string key, Alert started, DateTimeOffset now)
    {
        var host = started.Rule == AlertRules.HostStale;
        var alert = new Alert(host ? AlertRules.HostBack : AlertRules.FindingEnded, Severity.Info, now.ToUnixTimeMilliseconds(),
            host ? $"{started.Host} reports again" : $"no longer holds: {started.Summary}", "Nothing: it has ended.")
        {
            Host = started.Host, Objects = started.Objects, Finding = started.Finding,
            Evidence = [new EvidenceItem(started.Host, "collector", started.At, $"{started.Rule} since then")],
        };
        return new AlertCandidate(alert, $"end|{key}", started.Objects.ToHashSet(StringComparer.Ordinal));
    }
}
