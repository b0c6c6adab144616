using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Query;

/// <summary>Answers read-only questions: validates, asks the store, maps records to the contract.</summary>
public sealed class InventoryService(IInventoryStore store, TimeProvider time, IOptions<CollectorOptions> options) : Inventory.InventoryBase
{
    public override async Task<WhereReply> Where(WhereRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > 256)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                "give a VM name, a domain uuid, a MAC address or an IP address (at most 256 characters)"));
        }
        var now = time.GetUtcNow();
        var result = await store.WhereAsync(InventoryQuery.Parse(request.Query), now, context.CancellationToken);
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(now), Note = result.Note ?? "" };
        reply.Vms.Add(result.Vms.Select(vm => MapVm(vm, now)));
        return reply;
    }

    public override async Task<ListHostsReply> ListHosts(ListHostsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var reply = new ListHostsReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Hosts.Add((await store.ListHostsAsync(context.CancellationToken)).Select(h => MapHostSummary(h, now)));
        return reply;
    }

    public override async Task<ListVmsReply> ListVms(ListVmsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var vms = await store.ListVmsAsync(request.Host.Length > 0 ? request.Host : null, now, context.CancellationToken);
        var reply = new ListVmsReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Vms.Add(vms.Select(vm => MapVm(vm, now)));
        return reply;
    }

    /// <summary>A host is stale once it has been silent for longer than the configured time, or three of its intervals.</summary>
    private bool IsStale(HostRecord host, DateTimeOffset now)
    {
        var limit = options.Value.StaleAfterDuration ?? TimeSpan.FromMilliseconds(3 * Math.Max(host.IntervalMs, 1_000));
        return now - DateTimeOffset.FromUnixTimeMilliseconds(host.LastReport) > limit;
    }

    private HostStatus MapHostStatus(HostRecord host, DateTimeOffset now) => new()
    {
        Name = host.Name,
        LastReport = FromUnixMs(host.LastReport),
        Stale = IsStale(host, now),
    };

    private HostSummary MapHostSummary(HostRecord host, DateTimeOffset now)
    {
        var summary = new HostSummary
        {
            Status = MapHostStatus(host, now),
            AgentVersion = host.AgentVersion,
            Kernel = host.Kernel,
            MachineId = host.MachineId,
            VmCount = (uint)host.VmCount,
            FirstReport = FromUnixMs(host.FirstReport),
            AgentTime = host.AgentTime is { } agentTime ? FromUnixMs(agentTime) : null,
        };
        foreach (var error in System.Text.Json.JsonSerializer.Deserialize<string[][]>(host.Errors) ?? [])
        {
            summary.Errors.Add(new SourceError { Source = error[0], Message = error[1] });
        }
        return summary;
    }

    private VmLocation MapVm(VmView vm, DateTimeOffset now)
    {
        var location = new VmLocation
        {
            Host = MapHostStatus(vm.Host, now),
            Uuid = vm.Domain.Uuid,
            Name = vm.Domain.Name,
            State = (DomainState)vm.Domain.State,
            Persistent = vm.Domain.Persistent != 0,
            Since = FromUnixMs(vm.Domain.ValidFrom),
        };
        foreach (var nic in vm.Nics)
        {
            var addresses = new NicAddresses
            {
                Nic = new Nic
                {
                    Mac = nic.Nic.Mac,
                    Kind = (NicKind)nic.Nic.Kind,
                    Network = nic.Nic.Network,
                    Bridge = nic.Nic.Bridge,
                    TargetDev = nic.Nic.TargetDev,
                },
            };
            addresses.Addresses.Add(nic.Addresses.Select(MapAddress));
            location.Nics.Add(addresses);
        }
        return location;
    }

    // An open binding is confirmed by every report of the host that observes it, so its last
    // confirmation is that host's last report.
    private static AddressEvidence MapAddress(BindingRecord binding) => new()
    {
        Ip = binding.Ip,
        Source = (AddressSource)binding.Source,
        ObservedOn = binding.ObservedOn,
        NeighbourState = (NeighbourState)binding.NeighbourState,
        FirstSeen = FromUnixMs(binding.ValidFrom),
        LastConfirmed = FromUnixMs(binding.ObserverLastReport),
        LeaseExpiry = binding.LeaseExpiry is { } expiry ? FromUnixMs(expiry) : null,
        Hostname = binding.Hostname,
    };

    private static Timestamp FromUnixMs(long milliseconds) =>
        Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
}
