namespace DaemonNet.Protos.V1;

/// <summary>
/// Every kind of alert the collector raises, written once: the collector names its alerts with
/// these constants, the alert table of docs/ALERTS.md is generated from <see cref="All"/> (a test keeps the
/// two equal), and <c>daemonnet alerts --help</c> lists the names.
/// </summary>
public static class AlertRules
{
    public const string MacFirstSeen = "mac-first-seen";

    public const string AddressNewPairing = "address-new-pairing";

    public const string AddressMoved = "address-moved";

    public const string WatchList = "watch-list";

    public const string FindingStarted = "finding-started";

    public const string FindingEnded = "finding-ended";

    public const string HostStale = "host-stale";

    public const string HostBack = "host-back";

    public const string TunnelOverLimit = "tunnel-over-limit";

    public const string VmStarted = "vm-started";

    public const string VmStopped = "vm-stopped";

    /// <summary>What <c>daemonnet alerts test SINK</c> sends; no rule raises it.</summary>
    public const string Test = "test";

    public static readonly IReadOnlyList<AlertRule> All =
    [
        new(MacFirstSeen, "info", true, "a MAC appears for the first time in the kept history, on a NIC or in an address binding"),
        new(AddressNewPairing, "info", true, "a MAC is bound to an address it never had before (and nobody else had it on that host)"),
        new(AddressMoved, "warning / info", true, "an address changes hands on a host: another MAC had it before, and still has it / no longer has it"),
        new(WatchList, "warning", true, "a MAC or address on `WatchList` appears anywhere: on a NIC or in a binding"),
        new(FindingStarted, "the finding's", true, "an `audit` finding starts (host-silent is host-stale's, a tunnel over its limit tunnel-over-limit's)"),
        new(FindingEnded, "info", true, "an `audit` finding announced by finding-started or tunnel-over-limit no longer holds"),
        new(HostStale, "warning", true, "a host has not reported for longer than its stale threshold"),
        new(HostBack, "info", true, "a stale host reports again"),
        new(TunnelOverLimit, "critical", true, "a tunnel's p95 rate over the last hour reaches its configured limit (the critical tunnel-near-limit finding)"),
        new(VmStarted, "info", false, "a VM starts running (or is defined running); off unless a rule names it"),
        new(VmStopped, "info", false, "a running VM stops, or is undefined; off unless a rule names it"),
    ];

    /// <summary>The kinds a rule with no <c>When</c> list covers.</summary>
    public static IEnumerable<string> OnByDefault => All.Where(r => r.OnByDefault).Select(r => r.Name);

    public static bool IsKnown(string name) => All.Any(r => r.Name == name);

    /// <summary>The alert table of docs/ALERTS.md.</summary>
    public static string Markdown() =>
        "| alert | severity | on by default | when |\n| --- | --- | --- | --- |\n"
        + string.Concat(All.Select(r => $"| `{r.Name}` | {r.Severity} | {(r.OnByDefault ? "yes" : "no")} | {r.When} |\n"));
}

/// <summary>One kind of alert: its name, its severity, whether a rule without a list covers it, and when it fires.</summary>
public sealed record AlertRule(string Name, string Severity, bool OnByDefault, string When);
