using System.Globalization;
using System.Text.RegularExpressions;
using DaemonNet.Protos.V1;
using Dapper;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// Compares what the collector says with the ground truth, through the same questions a member
/// asks (history and where --at over the Inventory API), what each agent saw acknowledged, and
/// what the alert receivers got. Every comparison is of one fact at one instant: the store must
/// show a fact the truth held throughout the allowed lag, must not show one the truth held at no
/// time in it, and where it lacks one it must say it knew nothing then (a recorded silence).
/// </summary>
public sealed partial class SoakChecker(SoakCluster cluster, GroundTruth truth, SoakSettings settings, long checkFrom, long checkTo, SoakReport report)
{
    /// <summary>How long an agent may take to build a snapshot: a change within it before the snapshot's time may or may not be in it.</summary>
    private const long SnapshotBuildMs = 1_000;

    /// <summary>The step of the grid of instants at which the history is compared, besides each change's edges.</summary>
    private const long GridMs = 250;

    private readonly Inventory.InventoryClient inventory = new(cluster.Channel);
    private readonly Alerts.AlertsClient alerts = new(cluster.Channel);

    public async Task CheckAsync()
    {
        var vms = truth.Facts.Where(f => f.Kind == FactKind.Placement).Select(f => (Uuid: f.Subject, Name: f.Value.Split('|')[0])).Distinct().ToList();
        var view = await ReadAsync(vms.Select(v => v.Name).Distinct(StringComparer.Ordinal).ToList());
        CheckHistory(view);
        await CheckWhereAsync(view, vms);
        CheckAcknowledged(view);
        await CheckAlertsAsync(view);
    }

    private async Task<StoreView> ReadAsync(IReadOnlyList<string> names)
    {
        var view = new StoreView();
        foreach (var name in names)
        {
            foreach (var entry in (await inventory.HistoryAsync(new HistoryRequest { Query = name })).Entries)
            {
                view.Add(entry);
            }
        }
        foreach (var (host, operstate, from, to) in Links())
        {
            view.Add(new Fact(FactKind.Link, host, HostModel.Tunnel, operstate == "DOWN" ? "down" : "up"), from, to);
        }
        return view;
    }

    /// <summary>The tunnel links' spans, read from the database: no question lists a link over time.</summary>
    private List<(string Host, string Operstate, long From, long? To)> Links()
    {
        const string Sql = "SELECT h.name, l.operstate, l.valid_from, l.valid_to FROM links l JOIN hosts h ON h.id = l.host_id WHERE l.name = 'he0'";
        if (cluster.Postgres is { } postgres)
        {
            var database = cluster.DatabaseForChecks[(cluster.DatabaseForChecks.LastIndexOf('/') + 1)..];
            return postgres.Psql(Sql, database).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|'))
                .Select(p => (p[0], p[1], long.Parse(p[2], CultureInfo.InvariantCulture), p[3].Length == 0 ? (long?)null : long.Parse(p[3], CultureInfo.InvariantCulture)))
                .ToList();
        }
        using var connection = new SqliteConnection($"Data Source={cluster.DatabaseForChecks};Mode=ReadOnly;Pooling=False");
        return connection.Query<(string, string, long, long?)>(Sql).AsList();
    }

    private void Compare(string how, Fact fact, long at, Expectation expected, bool observed, StoreView view, string? detail = null)
    {
        report.FactsChecked++;
        if (expected == Expectation.MustHold && !observed)
        {
            if (view.Silent(fact.Host, at))
            {
                report.UnknownSaidSo++;
            }
            else
            {
                report.Fail("lost", $"{how}: {fact} held at {Time(at)} but is missing{detail}; {Around(fact)}");
            }
        }
        else if (expected == Expectation.MustNotHold && observed)
        {
            report.Fail("false", $"{how}: {fact} shown at {Time(at)} but did not hold then{detail}; {Around(fact)}");
        }
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private string Around(Fact fact) => $"truth changed at {string.Join(", ", truth.Changes(fact).Select(Time))}";

    /// <summary>Every fact on a grid of instants and at the edges of each of its changes, against the spans the history lists.</summary>
    private void CheckHistory(StoreView view)
    {
        foreach (var fact in truth.Facts.Concat(view.Facts).Distinct())
        {
            var instants = new SortedSet<long>();
            for (var at = checkFrom; at <= checkTo; at += GridMs)
            {
                instants.Add(at);
            }
            foreach (var change in truth.Changes(fact))
            {
                instants.Add(change - 1);
                instants.Add(change + truth.Lag(fact, change) + 1);
            }
            foreach (var at in instants.Where(at => at >= checkFrom && at <= checkTo))
            {
                report.HistoryChecked++;
                Compare("history", fact, at, truth.Expect(fact, at), view.Holds(fact, at), view);
            }
        }
    }

    /// <summary>where --at over the API at sampled instants: every VM by name, and some of their MACs.</summary>
    private async Task CheckWhereAsync(StoreView view, IReadOnlyList<(string Uuid, string Name)> vms)
    {
        var samples = Math.Clamp((int)((checkTo - checkFrom) / 5_000), 12, 60);
        var random = new Random(settings.Seed);
        var macsOf = truth.Facts.Where(f => f.Kind == FactKind.Nic).GroupBy(f => f.Subject, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(f => f.Value.Split('|')[0]).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        for (var sample = 0; sample < samples; sample++)
        {
            var at = checkFrom + (long)(random.NextDouble() * (checkTo - checkFrom));
            var when = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(at));
            foreach (var group in vms.GroupBy(v => v.Name, StringComparer.Ordinal))
            {
                var reply = await inventory.WhereAsync(new WhereRequest { Query = group.Key, At = when });
                report.WhereAnswers++;
                var uuids = group.Select(v => v.Uuid).ToHashSet(StringComparer.Ordinal);
                var macs = uuids.SelectMany(u => macsOf.GetValueOrDefault(u) ?? []).ToHashSet(StringComparer.Ordinal);
                CompareAnswer($"where {group.Key} --at {Time(at)}", reply, at, f => f.Kind is FactKind.Placement or FactKind.Nic ? uuids.Contains(f.Subject) : macs.Contains(f.Subject), view);
            }
            foreach (var mac in macsOf.Values.SelectMany(m => m).OrderBy(_ => random.Next()).Take(5))
            {
                var reply = await inventory.WhereAsync(new WhereRequest { Query = mac, At = when });
                report.WhereAnswers++;
                var observed = reply.Vms.SelectMany(vm => vm.Nics.Where(n => n.Nic.Mac == mac).Select(n => new Fact(FactKind.Nic, vm.Host.Name, vm.Uuid, $"{mac}|{n.Nic.Network}"))).ToHashSet();
                foreach (var fact in truth.Facts.Where(f => f.Kind == FactKind.Nic && f.Value.StartsWith(mac + "|", StringComparison.Ordinal)).Concat(observed).Distinct())
                {
                    var expected = truth.Expect(fact, at);
                    // The answer lists a NIC only with its VM: a NIC whose VM may or may not be there yet is either.
                    if (expected == Expectation.MustHold && !truth.Facts.Any(p => p.Kind == FactKind.Placement && p.Host == fact.Host && p.Subject == fact.Subject
                            && truth.Expect(p, at) == Expectation.MustHold))
                    {
                        expected = Expectation.Either;
                    }
                    Compare($"where {mac} --at {Time(at)}", fact, at, expected, observed.Contains(fact), view);
                }
            }
        }
    }

    /// <summary>
    /// One where answer against the truth's facts that <paramref name="concerns"/> picks: VMs and
    /// NICs directly; the addresses of a NIC only where the answer must show them, that is for a
    /// VM that certainly runs with that NIC (a stopped VM's address may be hidden once a running
    /// VM took it over), and never an address that did not hold.
    /// </summary>
    private void CompareAnswer(string how, WhereReply reply, long at, Func<Fact, bool> concerns, StoreView view)
    {
        var observed = new HashSet<Fact>();
        foreach (var vm in reply.Vms)
        {
            observed.Add(new Fact(FactKind.Placement, vm.Host.Name, vm.Uuid, $"{vm.Name}|{vm.State}"));
            foreach (var nic in vm.Nics)
            {
                observed.Add(new Fact(FactKind.Nic, vm.Host.Name, vm.Uuid, $"{nic.Nic.Mac}|{nic.Nic.Network}"));
                foreach (var address in nic.Addresses)
                {
                    observed.Add(new Fact(FactKind.Binding, address.ObservedOn, nic.Nic.Mac, $"{address.Ip}|{address.Source}|{address.Device}"));
                }
            }
        }
        // A VM on a host the collector knew nothing of then is not in the answer, nor its addresses.
        var running = truth.Facts.Where(f => f.Kind == FactKind.Placement && concerns(f) && f.Value.EndsWith("|Running", StringComparison.Ordinal)
            && truth.Expect(f, at) == Expectation.MustHold && !view.Silent(f.Host, at)).ToList();
        var certainMacs = truth.Facts.Where(f => f.Kind == FactKind.Nic && running.Any(p => p.Host == f.Host && p.Subject == f.Subject)
            && truth.Expect(f, at) == Expectation.MustHold).Select(f => f.Value.Split('|')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var fact in truth.Facts.Where(concerns).Concat(observed).Distinct())
        {
            var expected = truth.Expect(fact, at);
            if (fact.Kind == FactKind.Binding && expected == Expectation.MustHold && !certainMacs.Contains(fact.Subject))
            {
                expected = Expectation.Either;
            }
            Compare(how, fact, at, expected, observed.Contains(fact), view, fact.Kind == FactKind.Binding ? $" (the answer: {Shown(reply)})" : null);
        }
    }

    private static string Shown(WhereReply reply) => string.Join("; ", reply.Vms.Select(vm =>
        $"{vm.Name} on {vm.Host.Name} {vm.State}: {string.Join(", ", vm.Nics.Select(n => $"{n.Nic.Mac} [{string.Join(" ", n.Addresses.Select(a => $"{a.Ip}/{a.Source}/{a.ObservedOn}"))}]"))}"));

    [GeneratedRegex(@"Snapshot \d+ observed at (\S+) filed at (\S+), acknowledged after ([\d.]+) ms")]
    private static partial Regex Acknowledgement();

    /// <summary>
    /// Every snapshot an agent saw acknowledged is in the store: at the instant the collector filed
    /// it, the store shows each fact of the host as the truth had it when the agent looked (a
    /// change while the snapshot was being built may be either side), except what libvirt states
    /// while libvirt failed, which the snapshot did not say.
    /// </summary>
    private void CheckAcknowledged(StoreView view)
    {
        var latencies = new List<double>();
        foreach (var host in cluster.Hosts)
        {
            var facts = truth.Facts.Concat(view.Facts).Where(f => f.Host == host.Name).Distinct().ToList();
            var acks = Acknowledgement().Matches(host.AgentOutput).Select(ack => (
                ObservedAt: DateTimeOffset.Parse(ack.Groups[1].Value, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                FiledAt: DateTimeOffset.Parse(ack.Groups[2].Value, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                Milliseconds: double.Parse(ack.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
            latencies.AddRange(acks.Select(a => a.Milliseconds));
            // Snapshots of one host filed in one group commit share their filing instant: the store
            // shows the newest of them then, and the older ones only within the commit.
            var newestFiled = acks.GroupBy(a => a.FiledAt).ToDictionary(g => g.Key, g => g.Max(a => a.ObservedAt));
            foreach (var (observedAt, filedAt, _) in acks)
            {
                if (observedAt < checkFrom || observedAt > checkTo)
                {
                    continue;
                }
                report.AcknowledgedSnapshots++;
                if (observedAt < newestFiled[filedAt])
                {
                    continue;
                }
                var libvirtFailing = truth.Impairments.Any(i => i.Scope == ImpairmentScope.Libvirt && i.Host == host.Name
                    && i.From <= observedAt && i.To + settings.Propagation.TotalMilliseconds >= observedAt - SnapshotBuildMs);
                foreach (var fact in facts.Where(f => !(libvirtFailing && f.Kind is FactKind.Placement or FactKind.Nic)))
                {
                    Compare("acknowledged snapshot", fact, filedAt, truth.Expect(fact, observedAt - SnapshotBuildMs, observedAt), view.Holds(fact, filedAt), view,
                        $" (observed at {Time(observedAt)}, filed at {Time(filedAt)})");
                }
            }
        }
        report.AckMilliseconds = latencies;
    }

    /// <summary>
    /// The alerts against what the (checked) history implies, and every delivery against what the
    /// receivers got: each MAC seen announced once; each address that changed hands on a host
    /// announced, and none that did not; each host-stale explained by an outage and ended once by
    /// host-back; each condition started once and ended once; every delivery received, resends told
    /// apart by id, and nothing received that the collector did not raise.
    /// </summary>
    private async Task CheckAlertsAsync(StoreView view)
    {
        var stored = (await alerts.ListAlertsAsync(new ListAlertsRequest { Limit = 10_000 })).Alerts.OrderBy(a => a.Id).ToList();
        report.AlertsStored = stored.Count;
        CheckDeliveries(stored, "hook", cluster.Receivers.WebhookIds);
        CheckDeliveries(stored, "log", cluster.Receivers.SyslogIds);

        var seenMacs = view.Facts.Where(f => f.Kind is FactKind.Nic or FactKind.Binding)
            .Select(f => f.Kind == FactKind.Nic ? f.Value.Split('|')[0] : f.Subject).ToHashSet(StringComparer.Ordinal);
        // The hosts' own links have neighbours too (the collector's address on eth0): only the MACs the soak gave its VMs are judged.
        var firstSeen = stored.Where(a => a.Rule == AlertRules.MacFirstSeen && a.Objects[0].StartsWith(Churn.MacPrefix, StringComparison.Ordinal))
            .GroupBy(a => a.Objects[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var mac in seenMacs.Where(m => !firstSeen.ContainsKey(m)))
        {
            report.Fail("alert-missing", $"mac-first-seen for {mac}, which the history shows");
        }
        foreach (var (mac, count) in firstSeen)
        {
            if (count > 1)
            {
                report.Fail("alert-duplicated", $"mac-first-seen for {mac} raised {count} times");
            }
            if (!seenMacs.Contains(mac))
            {
                report.Fail("alert-false", $"mac-first-seen for {mac}, which the history never shows");
            }
        }

        var moved = MovedAddresses(view);
        // Only the addresses the soak hands out are judged: a host's own neighbours change hands too (a bridge takes a new MAC as ports join it).
        var soakAddresses = truth.Facts.Where(f => f.Kind == FactKind.Binding).Select(f => f.Value.Split('|')[0]).ToHashSet(StringComparer.Ordinal);
        var movedAlerts = stored.Where(a => a.Rule == AlertRules.AddressMoved && soakAddresses.Contains(a.Objects[0])).Select(a => (a.Host, Ip: a.Objects[0])).ToHashSet();
        foreach (var (host, ip) in moved.Where(m => !movedAlerts.Contains(m)))
        {
            report.Fail("alert-missing", $"address-moved for {ip} on {host}, which changed hands in the history");
        }
        foreach (var (host, ip) in movedAlerts.Where(m => !moved.Contains(m)))
        {
            report.Fail("alert-false", $"address-moved for {ip} on {host}, which never changed hands in the history");
        }

        CheckConditions(stored.Where(a => a.Rule is AlertRules.HostStale or AlertRules.HostBack), a => a.Host, a => a.Rule == AlertRules.HostStale);
        CheckConditions(stored.Where(a => a.Rule is AlertRules.FindingStarted or AlertRules.TunnelOverLimit or AlertRules.FindingEnded),
            a => $"{a.Finding?.Rule}|{a.Finding?.Severity}|{string.Join('|', a.Objects)}", a => a.Rule != AlertRules.FindingEnded);
        foreach (var stale in stored.Where(a => a.Rule == AlertRules.HostStale && StoreView.Ms(a.At) >= checkFrom))
        {
            var at = StoreView.Ms(stale.At);
            var since = at - (long)(settings.StaleAfter + settings.Propagation).TotalMilliseconds;
            if (!truth.Impairments.Any(i => i.Scope == ImpairmentScope.All && (i.Host is null || i.Host == stale.Host) && i.From <= at && i.To >= since))
            {
                report.Fail("alert-false", $"host-stale for {stale.Host} at {Time(at)}, with no outage of it in the {settings.StaleAfter.TotalSeconds:0} s before");
            }
        }
        foreach (var outage in truth.Impairments.Where(i => i.Host is not null && i.Fault is "agent-kill" or "partition"))
        {
            // Cut off for longer than the stale limit, a propagation delay and a margin, while the collectors listened: announced.
            var silentFor = outage.Cut;
            var collectorsAway = truth.Impairments.Any(i => i.Host is null && i.From <= outage.From + outage.Cut && i.To >= outage.From);
            if (!collectorsAway && silentFor > (settings.StaleAfter + settings.Propagation + TimeSpan.FromSeconds(2)).TotalMilliseconds
                && !stored.Any(a => a.Rule == AlertRules.HostStale && a.Host == outage.Host
                    && StoreView.Ms(a.At) >= outage.From && StoreView.Ms(a.At) <= outage.To + settings.Recovery.TotalMilliseconds))
            {
                report.Fail("alert-missing", $"host-stale for {outage.Host}, silent ({outage.Fault}) from {Time(outage.From)} for {silentFor / 1000.0:0.0} s");
            }
        }
    }

    /// <summary>Every (host, address) whose binding in the history passed from one MAC to another.</summary>
    private static HashSet<(string Host, string Ip)> MovedAddresses(StoreView view)
    {
        var moved = new HashSet<(string, string)>();
        var bindings = view.Facts.Where(f => f.Kind == FactKind.Binding).GroupBy(f => (f.Host, Ip: f.Value.Split('|')[0]));
        foreach (var group in bindings)
        {
            var macs = group.Select(f => f.Subject).Distinct(StringComparer.Ordinal).ToList();
            if (macs.Count > 1)
            {
                moved.Add(group.Key);
            }
        }
        return moved;
    }

    private void CheckDeliveries(List<Alert> stored, string sink, IReadOnlyList<long> received)
    {
        var counts = received.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        report.DuplicateDeliveries += counts.Values.Sum(c => c - 1);
        var raised = stored.Where(a => a.Deliveries.Any(d => d.Sink == sink)).ToDictionary(a => a.Id);
        foreach (var alert in raised.Values)
        {
            var delivery = alert.Deliveries.Single(d => d.Sink == sink);
            if (delivery.State != DeliveryState.Delivered)
            {
                report.Fail("delivery-lost", $"alert {alert.Id} ({alert.Rule}) to {sink} is {delivery.State} after {delivery.Attempts} attempts: {delivery.LastError}");
            }
            else if (!counts.ContainsKey(alert.Id))
            {
                report.Fail("delivery-lost", $"alert {alert.Id} ({alert.Rule}) to {sink} is recorded delivered but the receiver never got it");
            }
        }
        foreach (var id in counts.Keys.Where(id => !raised.ContainsKey(id)))
        {
            report.Fail("alert-false", $"{sink} received alert {id}, which the collector does not hold");
        }
    }

    /// <summary>Conditions of each key alternate: started, ended, started… never started twice in a row nor ended unstarted.</summary>
    private void CheckConditions(IEnumerable<Alert> alertsOfKind, Func<Alert, string> key, Func<Alert, bool> starts)
    {
        foreach (var group in alertsOfKind.GroupBy(key, StringComparer.Ordinal))
        {
            var open = false;
            foreach (var alert in group.OrderBy(a => StoreView.Ms(a.At)).ThenBy(a => a.Id))
            {
                if (starts(alert) == open)
                {
                    report.Fail("alert-duplicated", $"{alert.Rule} for {group.Key} at {Time(StoreView.Ms(alert.At))} {(open ? "while already started" : "without a start")}");
                }
                open = starts(alert);
            }
        }
    }
}
