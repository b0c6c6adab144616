using System.Net;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.Formats;
using AlertRules = DaemonNet.Protos.V1.AlertRules;
using SourceNames = DaemonNet.Protos.V1.SourceNames;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// The alerts one commit's watch events raise: a MAC seen for the first time, an address bound
/// anew or changing hands, a watch-listed MAC or address, a VM started or stopped. Whether
/// something is new is asked of the history, so a restart changes nothing.
/// </summary>
public sealed class EventAlerts(IAlertStore store, AlertRouting routing, IReadOnlySet<string> watchList)
{
    /// <param name="networkOf">The libvirt network a host's bridge belongs to, when one does.</param>
    public async Task<List<AlertCandidate>> FromAsync(IReadOnlyList<ChangeEvent> events, Func<string, string, string?> networkOf, CancellationToken cancellationToken)
    {
        var candidates = new List<AlertCandidate>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // Whether a MAC is new is asked of the history once per batch: later events of it in the batch know the answer.
        var macsAsked = new HashSet<string>(StringComparer.Ordinal);
        void Add(AlertCandidate candidate)
        {
            // One commit can show the same news twice (a NIC and its lease): it is one alert.
            if (routing.Wants(candidate.Alert.Rule) && keys.Add(candidate.DedupKey))
            {
                candidates.Add(candidate);
            }
        }
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case ChangeKind.VmDefined or ChangeKind.VmChanged or ChangeKind.VmUndefined:
                    if (StateChange(e) is { } change)
                    {
                        Add(change);
                    }
                    break;
                case ChangeKind.NicAdded:
                    var networks = Networks(e.Nic!.Network, e.Nic.Bridge);
                    var nicEvidence = new EvidenceItem(e.Host, SourceNames.Libvirt, e.At, $"NIC of {Vm(e)} on {Where(e.Nic)}");
                    if (routing.Wants(AlertRules.MacFirstSeen) && macsAsked.Add(e.Mac) && !await store.MacSeenBeforeAsync(e.Mac, At(e), cancellationToken))
                    {
                        Add(Build(AlertRules.MacFirstSeen, Severity.Info, e, $"{e.Mac} appears for the first time: a NIC of {Vm(e)} on {e.Host}",
                            $"Nothing, if {Vm(e)} is a VM you expect; daemonnet where {e.Mac} shows it.", [e.Mac, e.VmName], nicEvidence, networks));
                    }
                    foreach (var item in Listed(e.Mac))
                    {
                        Add(Build(AlertRules.WatchList, Severity.Warning, e, $"watch-listed {item} appears: a NIC of {Vm(e)} on {e.Host}",
                            $"daemonnet where {item} shows where it is now; daemonnet history {item} where it was.", [item, e.VmName], nicEvidence, networks, $"{item}|{e.Host}"));
                    }
                    break;
                case ChangeKind.AddressBound:
                    foreach (var candidate in await BindingAlertsAsync(e, Networks(e.Binding!.Device, networkOf(e.Host, e.Binding.Device)), macsAsked, cancellationToken))
                    {
                        Add(candidate);
                    }
                    break;
            }
        }
        return candidates;
    }

    private async Task<List<AlertCandidate>> BindingAlertsAsync(ChangeEvent e, HashSet<string> networks, HashSet<string> macsAsked, CancellationToken cancellationToken)
    {
        var alerts = new List<AlertCandidate>();
        var binding = e.Binding!;
        var ip = binding.Ip;
        var at = At(e);
        var holder = e.VmName.Length > 0 ? $"{e.VmName} ({e.Mac})" : e.Mac;
        var evidence = new EvidenceItem(e.Host, Evidence.Words(binding.Source, binding.NeighbourState), e.At,
            $"{ip} → {e.Mac} on {binding.Device}{(binding.Hostname.Length > 0 ? $", hostname {binding.Hostname}" : "")}");
        if (routing.Wants(AlertRules.MacFirstSeen) && macsAsked.Add(e.Mac) && !await store.MacSeenBeforeAsync(e.Mac, at, cancellationToken))
        {
            alerts.Add(Build(AlertRules.MacFirstSeen, Severity.Info, e, $"{e.Mac} appears for the first time, with {ip} on {e.Host}",
                $"Nothing, if it is a machine you expect; daemonnet where {e.Mac} shows it.", [e.Mac, ip], evidence, networks));
        }
        if (await store.PreviousHolderAsync(e.Host, ip, e.Mac, at, cancellationToken) is { } previous)
        {
            var severity = previous.StillHolds ? Severity.Warning : Severity.Info;
            alerts.Add(Build(AlertRules.AddressMoved, severity, e,
                $"{ip} on {e.Host} changes hands: {holder} has it now, {previous.Mac} had it{(previous.StillHolds ? " and still has it" : "")}",
                $"If the move is unexpected, check both machines' static addresses and DHCP reservations; daemonnet history {ip} shows every holder.",
                [ip, e.Mac, previous.Mac], evidence, networks, $"{e.Host}|{ip}"));
        }
        else if (routing.Wants(AlertRules.AddressNewPairing) && !await store.PairingSeenBeforeAsync(e.Mac, ip, at, cancellationToken))
        {
            alerts.Add(Build(AlertRules.AddressNewPairing, Severity.Info, e, $"{holder} has {ip} for the first time, on {e.Host}",
                $"Nothing, if expected; daemonnet where {ip} shows it.", [ip, e.Mac], evidence, networks, $"{e.Host}|{e.Mac}"));
        }
        foreach (var item in Listed(e.Mac).Concat(Listed(ip)))
        {
            alerts.Add(Build(AlertRules.WatchList, Severity.Warning, e, $"watch-listed {item} appears: {ip} → {holder} on {e.Host}",
                $"daemonnet where {item} shows where it is now; daemonnet history {item} where it was.", [item, ip, e.Mac], evidence, networks, $"{item}|{e.Host}"));
        }
        return alerts;
    }

    private AlertCandidate? StateChange(ChangeEvent e)
    {
        var alive = e.Kind != ChangeKind.VmUndefined && DomainStates.IsAlive(e.State);
        var wasAlive = e.Kind != ChangeKind.VmDefined && DomainStates.IsAlive(e.PreviousState);
        var rule = (wasAlive, alive) switch
        {
            (false, true) => AlertRules.VmStarted,
            (true, false) => AlertRules.VmStopped,
            _ => null,
        };
        if (rule is null || !routing.Wants(rule))
        {
            return null;
        }
        var state = e.Kind == ChangeKind.VmUndefined ? "undefined" : ((Protos.V1.DomainState)e.State).ToString().ToLowerInvariant();
        var verb = rule == AlertRules.VmStarted ? "starts" : "stops";
        return Build(rule, Severity.Info, e, $"{e.VmName} {verb} on {e.Host} ({state})", $"Nothing, if expected; daemonnet where {e.VmName} shows it.",
            [e.VmName, e.VmUuid], new EvidenceItem(e.Host, SourceNames.Libvirt, e.At, $"{e.VmName} ({e.VmUuid}) {state}"), [], e.VmUuid);
    }

    private IEnumerable<string> Listed(string value) => value.Length > 0 && watchList.Contains(value) ? [value] : [];

    private static string Vm(ChangeEvent e) => e.VmName.Length > 0 ? e.VmName : e.VmUuid;

    private static string Where(NicFact nic) => nic.Network.Length > 0 ? $"network {nic.Network}" : nic.Bridge.Length > 0 ? $"bridge {nic.Bridge}" : "no network the host sees";

    private static DateTimeOffset At(ChangeEvent e) => StoredTime.ToInstant(e.At);

    private static HashSet<string> Networks(params string?[] names) => names.Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToHashSet(StringComparer.Ordinal);

    private static AlertCandidate Build(string rule, Severity severity, ChangeEvent e, string summary, string action, IEnumerable<string> objects,
        EvidenceItem evidence, HashSet<string> networks, string? subject = null)
    {
        var alert = new Alert(rule, severity, e.At, summary, action) { Host = e.Host, Evidence = [evidence], Objects = [.. objects.Where(o => o.Length > 0).Distinct(StringComparer.Ordinal)] };
        return new AlertCandidate(alert, $"{rule}|{subject ?? alert.Objects[0]}", networks);
    }

    /// <summary>The watch list in the form events carry: MACs lower-case with colons, addresses as parsed.</summary>
    public static IReadOnlySet<string> Normalize(IEnumerable<string> watchList) => watchList
        .Select(item => MacAddressText.TryNormalize(item, out var mac) ? mac : IPAddress.TryParse(item, out var ip) ? ip.ToString() : item)
        .ToHashSet(StringComparer.Ordinal);
}
