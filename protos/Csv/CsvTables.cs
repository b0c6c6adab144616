using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf;

namespace DaemonNet.Protos.Csv;

/// <summary>
/// The replies that are lists, as CSV tables: what <c>--csv</c> prints and what the HTTP routes
/// answer to <c>Accept: text/csv</c>, the same columns either way. A list of several values in
/// one field (objects, deliveries) is joined with "; ".
/// </summary>
public static class CsvTables
{
    /// <summary>The table for a reply, or null when the reply is not a list with a table.</summary>
    public static string? Of(IMessage reply) => reply switch
    {
        ListVmsReply vms => Vms(vms),
        ListHostsReply hosts => Hosts(hosts),
        HistoryReply history => History(history),
        AuditReply audit => Audit(audit),
        ListAlertsReply alerts => Alerts(alerts),
        _ => null,
    };

    /// <summary>One record per address of each NIC; a NIC without one, or a VM without NICs, still has its record.</summary>
    public static string Vms(ListVmsReply reply) => CsvWriter.Write(
        ["vm", "uuid", "host", "state", "owner", "tags", "mac", "network", "ip", "evidence", "first_seen", "last_confirmed"],
        reply.Vms.SelectMany(vm =>
        {
            string[] Record(Nic? nic, AddressEvidence? address) =>
            [
                vm.Name, vm.Uuid, vm.Host.Name, DomainStates.Describe(vm.State), vm.Owner, string.Join(' ', vm.Tags), nic?.Mac ?? "", nic is null ? "" : Network(nic),
                address?.Ip ?? "", address?.Evidence ?? "", CsvWriter.Time(address?.FirstSeen), CsvWriter.Time(address?.LastConfirmed),
            ];
            return vm.Nics.Count == 0 ? [Record(null, null)]
                : vm.Nics.SelectMany(n => n.Addresses.Count == 0 ? [Record(n.Nic, null)] : n.Addresses.Select(a => Record(n.Nic, a)));
        }));

    public static string Hosts(ListHostsReply reply) => CsvWriter.Write(
        ["host", "last_report", "stale", "vms", "agent_version", "kernel", "machine_id", "first_report", "rejected_messages", "errors"],
        reply.Hosts.Select(h => (IReadOnlyList<string>)
        [
            h.Status.Name, CsvWriter.Time(h.Status.LastReport), CsvWriter.Flag(h.Status.Stale), CsvWriter.Number(h.VmCount), h.AgentVersion,
            h.Kernel, h.MachineId, CsvWriter.Time(h.FirstReport), CsvWriter.Number((long)h.RejectedMessages),
            string.Join("; ", h.Errors.Select(e => $"{e.Source}: {e.Message}")),
        ]));

    public static string History(HistoryReply reply) => CsvWriter.Write(
        ["kind", "from", "to", "host", "vm", "uuid", "state", "mac", "network", "ip", "evidence"],
        reply.Entries.Select(e => (IReadOnlyList<string>)
        [
            Word(e.Kind), CsvWriter.Time(e.From), CsvWriter.Time(e.To), e.Host, e.VmName, e.VmUuid,
            e.Kind == HistoryKind.Placement ? DomainStates.Describe(e.State) : "", e.Mac.Length > 0 ? e.Mac : e.Nic?.Mac ?? "",
            e.Nic is null ? "" : Network(e.Nic), e.Address?.Ip ?? "", e.Address?.Evidence ?? "",
        ]));

    public static string Audit(AuditReply reply) => CsvWriter.Write(
        ["severity", "rule", "summary", "objects", "action"],
        reply.Findings.Select(f => (IReadOnlyList<string>)[Word(f.Severity), f.Rule, f.Summary, string.Join("; ", f.Objects), f.Action]));

    public static string Alerts(ListAlertsReply reply) => CsvWriter.Write(
        ["id", "at", "severity", "rule", "host", "summary", "objects", "repeats", "deliveries"],
        reply.Alerts.Select(a => (IReadOnlyList<string>)
        [
            CsvWriter.Number(a.Id), CsvWriter.Time(a.At), Word(a.Severity), a.Rule, a.Host, a.Summary, string.Join("; ", a.Objects),
            CsvWriter.Number(a.Repeats), string.Join("; ", a.Deliveries.Select(d => $"{d.Sink}: {Word(d.State)}")),
        ]));

    private static string Network(Nic nic) => nic.Network.Length > 0 ? nic.Network : nic.Bridge;

    // An enum value as its last word, lower case: SEVERITY_CRITICAL -> "critical", HISTORY_KIND_NIC -> "nic".
    private static string Word<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
