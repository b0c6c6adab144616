using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Ingestion;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Vendors;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Query;

/// <summary>
/// The inventory's answers in the contract's terms: hosts, VMs with their NICs and addresses
/// (named by vendor and by reverse DNS), and timelines. The one place where rows become contract
/// messages for where, vms, hosts, history and watch.
/// </summary>
public sealed class InventoryReplies(IntervalRules rules, RejectionCounter rejections, MacVendors vendors, AddressNames addressNames)
{
    public HostStatus ToHostStatus(HostRow host, DateTimeOffset now) => new()
    {
        Name = host.Name,
        LastReport = FromUnixMs(host.LastReport),
        Stale = rules.IsSilent(host, now),
    };

    /// <summary>
    /// The timeline, oldest first. A span still open on a host that is silent now ends, as far as
    /// anyone knows, at the host's last report, and the silence is a span of its own.
    /// </summary>
    public List<HistoryEntry> ToHistory(HistoryResult result, DateTimeOffset now)
    {
        var silentNow = result.Hosts.Values.Where(h => rules.IsSilent(h, now)).ToDictionary(h => h.Id);
        Timestamp? End(long? validTo, long hostId) =>
            validTo is { } to ? FromUnixMs(to) : silentNow.TryGetValue(hostId, out var silent) ? FromUnixMs(silent.LastReport) : null;
        var names = result.Domains.GroupBy(d => d.Uuid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);

        var entries = new List<HistoryEntry>();
        entries.AddRange(result.Domains.Select(d => new HistoryEntry
        {
            Kind = HistoryKind.Placement, From = FromUnixMs(d.ValidFrom), To = End(d.ValidTo, d.HostId), Host = result.Hosts[d.HostId].Name,
            VmName = d.Name, VmUuid = d.Uuid, State = (DomainState)d.State,
        }));
        entries.AddRange(result.Nics.Select(n => new HistoryEntry
        {
            Kind = HistoryKind.Nic, From = FromUnixMs(n.ValidFrom), To = End(n.ValidTo, n.HostId), Host = result.Hosts[n.HostId].Name,
            VmName = names.GetValueOrDefault(n.DomainUuid, ""), VmUuid = n.DomainUuid, Mac = n.Mac, Nic = ToNic(n),
        }));
        entries.AddRange(result.Bindings.Select(b => new HistoryEntry
        {
            Kind = HistoryKind.Address, From = FromUnixMs(b.ValidFrom), To = End(b.ValidTo, b.HostId), Host = b.ObservedOn,
            Mac = b.Mac, Address = ToAddress(b, outlivesVm: false),
        }));
        entries.AddRange(result.Silences.Select(s => new HistoryEntry
        {
            Kind = HistoryKind.Silence, From = FromUnixMs(s.ValidFrom), To = End(s.ValidTo, s.HostId), Host = result.Hosts[s.HostId].Name,
        }));
        var involved = entries.Select(e => e.Host).ToHashSet(StringComparer.Ordinal);
        entries.AddRange(silentNow.Values.Where(h => involved.Contains(h.Name)).Select(h => new HistoryEntry
        {
            Kind = HistoryKind.Silence, From = FromUnixMs(h.LastReport), Host = h.Name,
        }));
        return entries
            .OrderBy(e => e.From.ToDateTimeOffset())
            .ThenBy(e => e.Kind)
            .ThenBy(e => e.Host, StringComparer.Ordinal)
            .ToList();
    }

    public HostSummary ToHostSummary(HostRow host, DateTimeOffset now)
    {
        var summary = new HostSummary
        {
            Status = ToHostStatus(host, now),
            AgentVersion = host.AgentVersion,
            Kernel = host.Kernel,
            MachineId = host.MachineId,
            VmCount = (uint)host.VmCount,
            FirstReport = FromUnixMs(host.FirstReport),
            AgentTime = host.AgentTime is { } agentTime ? FromUnixMs(agentTime) : null,
            RejectedMessages = (ulong)rejections.For(host.Name),
        };
        summary.Errors.Add(host.SourceErrors.Select(e => new SourceError { Source = e.Source, Message = e.Message }));
        return summary;
    }

    public VmLocation ToVm(LocatedVm vm, DateTimeOffset now)
    {
        var location = new VmLocation
        {
            Host = ToHostStatus(vm.Host, now),
            Uuid = vm.Domain.Uuid,
            Name = vm.Domain.Name,
            State = (DomainState)vm.Domain.State,
            Persistent = vm.Domain.Persistent != 0,
            Since = FromUnixMs(vm.Domain.ValidFrom),
            Title = vm.Labels?.Title ?? "",
            Description = vm.Labels?.Description ?? "",
            Owner = vm.Labels?.Owner ?? "",
        };
        location.Tags.Add(vm.Labels?.TagList ?? []);
        foreach (var nic in vm.Nics)
        {
            var addresses = new NicAddresses { Nic = ToNic(nic.Nic), Vendor = vendors.Describe(nic.Nic.Mac) };
            var outlivesVm = !DomainStates.IsAlive(vm.Domain.State);
            addresses.Addresses.Add(nic.Addresses.Select(b => Named(ToAddress(b, outlivesVm))));
            location.Nics.Add(addresses);
        }
        return location;
    }

    private AddressEvidence Named(AddressEvidence address)
    {
        if (addressNames.NameOf(address.Ip) is { } name)
        {
            address.DnsName = name.Name;
            address.DnsNameConfirmed = name.Confirmed;
        }
        return address;
    }

    /// <summary>A NIC in the contract's terms: the one mapping for where, vms, history and watch.</summary>
    public static Nic ToNic(NicRow nic) => new()
    {
        Mac = nic.Mac, Kind = (NicKind)nic.Kind, Network = nic.Network, Bridge = nic.Bridge, TargetDev = nic.TargetDev,
    };

    /// <summary>A binding's evidence in the contract's terms: the one mapping for where, history and watch (<see cref="Evidence"/>'s rules).</summary>
    public static AddressEvidence ToAddress(BindingRow binding, bool outlivesVm) => new()
    {
        Ip = binding.Ip,
        Source = (AddressSource)binding.Source,
        ObservedOn = binding.ObservedOn,
        NeighbourState = (NeighbourState)binding.NeighbourState,
        FirstSeen = FromUnixMs(binding.ValidFrom),
        LastConfirmed = FromUnixMs(binding.LastConfirmed),
        LeaseExpiry = binding.LeaseExpiry is { } expiry ? FromUnixMs(expiry) : null,
        Hostname = binding.Hostname,
        OutlivesVm = outlivesVm,
        Device = binding.Device,
        Evidence = binding.Words,
    };

    private static Timestamp FromUnixMs(long milliseconds) => Timestamp.FromDateTimeOffset(StoredTime.ToInstant(milliseconds));
}
