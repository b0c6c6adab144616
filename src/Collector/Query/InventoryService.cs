using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Tunnels;
using DaemonNet.Collector.Vendors;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Query;

/// <summary>Answers read-only questions: validates, asks the store, and has <see cref="InventoryReplies"/> put the answer in the contract's terms.</summary>
public sealed class InventoryService(
    IWhereReader where, IHistoryReader history, IStateReader state, TimeProvider time, IntervalRules rules, IOptions<CollectorOptions> options, ChangeFeed feed,
    DnsRecordMonitor dns, MacVendors vendors, AddressNames addressNames, InventoryReplies replies)
    : Inventory.InventoryBase
{
    /// <summary>The traffic window when a question gives none: the audit's, for "near the limit".</summary>
    public static readonly TimeSpan DefaultTrafficWindow = ClusterAudit.TrafficWindow;

    public override async Task<TunnelsReply> Tunnels(TunnelsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var since = request.Since?.ToDateTimeOffset() ?? now - DefaultTrafficWindow;
        if (since >= now)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"--since {since:u} is not in the past; the collector's clock says {now:u}"));
        }
        var host = request.Host.Length > 0 ? request.Host : null;
        var current = await state.CurrentStateAsync(now, context.CancellationToken);
        var hosts = await TunnelsAsync(current with { Hosts = current.Hosts.Where(h => host is null || h.Name == host).ToList() }, host, now, since, context.CancellationToken);
        if (host is not null && hosts.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no host named {host} has reported; daemonnet hosts lists those that have"));
        }
        var reply = new TunnelsReply { CollectorTime = Timestamp.FromDateTimeOffset(now), Since = Timestamp.FromDateTimeOffset(since) };
        reply.Hosts.Add(hosts.Select(h => TunnelReplies.ToContract(h, replies.ToHostStatus(h.Host, now))));
        return reply;
    }

    public override async Task<AuditReply> Audit(AuditRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var netreg = request.NetregGiven ? request.Netreg.Select(e => e.Mac).ToList() : null;
        var (findings, _) = await ClusterAudit.RunAsync(state, rules, options.Value.Tunnels, now, netreg, dns.Current, ReverseNames, context.CancellationToken);
        var reply = new AuditReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Findings.Add(findings.Select(AlertReplies.ToContract).Where(f => f.Severity >= request.MinSeverity));
        return reply;
    }

    private async Task<List<HostTunnelState>> TunnelsAsync(ClusterState current, string? host, DateTimeOffset now, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var traffic = await state.TrafficAsync(host, since, cancellationToken);
        return TunnelInventory.Build(current, traffic, options.Value.Tunnels, h => rules.IsSilent(h, now), since.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// Subscribes before it answers, so that a change committed between the current answer and
    /// the first event is in the queue rather than lost; the client may see it twice, never not.
    /// </summary>
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        var query = string.IsNullOrWhiteSpace(request.Query) ? null : ParseQuery(request.Query);
        using var watcher = feed.Subscribe(query);
        // Headers now, not with the first event: an HTTP client (the web page) sees the watch open at once.
        await context.WriteResponseHeadersAsync([]);
        if (query is not null)
        {
            var current = await AnswerAsync(query, at: null, context.CancellationToken);
            await responseStream.WriteAsync(new WatchEvent { Kind = WatchEventKind.Current, At = current.CollectorTime, Current = current }, context.CancellationToken);
        }
        try
        {
            await foreach (var e in watcher.Events.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(WatchEventReplies.ToContract(e), context.CancellationToken);
            }
        }
        catch (FellBehindException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
    }

    public override async Task<WhereReply> Where(WhereRequest request, ServerCallContext context)
    {
        var query = ParseQuery(request.Query);
        var at = request.At?.ToDateTimeOffset();
        if (at > time.GetUtcNow())
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{at:u} is in the future; the collector's clock says {time.GetUtcNow():u}"));
        }
        if (AddressWait.From(request) is { } wait)
        {
            return await WaitAsync(request.Query, query, wait, context.CancellationToken);
        }
        var reply = await AnswerAsync(query, at, context.CancellationToken);
        if (reply.Vms.Count == 0 && at is null && IsHttp(context))
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no VM matches '{request.Query}'{(reply.Note.Length > 0 ? $": {reply.Note}" : "")}"));
        }
        return reply;
    }

    private async Task<WhereReply> AnswerAsync(InventoryQuery query, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await where.WhereAsync(query, now, at, cancellationToken);
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(now), Note = UnownedNote(query, result.Unowned) };
        reply.Vms.Add(result.Vms.Select(vm => replies.ToVm(vm, now)));
        if (reply.Vms.Count == 0 && at is null && query.Kind == QueryKind.Name && query.Value.Contains('.', StringComparison.Ordinal))
        {
            await AnswerByDnsNameAsync(reply, query.Value, now, cancellationToken);
        }
        if (reply.Vms.Count == 0 && at is null && query.Kind == QueryKind.Name)
        {
            reply.SimilarNames.Add(Similarity.Closest(query.Value, await where.CurrentVmNamesAsync(cancellationToken), MaxSimilarNames));
        }
        if (reply.Vms.Count == 0 && at is { } instant)
        {
            var nearest = await history.NearestAsync(query, now, instant, cancellationToken);
            reply.NearestBefore = replies.ToHistory(nearest.Before, now).FirstOrDefault(e => e.Kind != HistoryKind.Silence);
            reply.NearestAfter = replies.ToHistory(nearest.After, now).FirstOrDefault(e => e.Kind != HistoryKind.Silence);
        }
        return reply;
    }

    /// <summary>
    /// A name that is no VM's but has a dot may be a DNS name: the VMs that hold the addresses it
    /// resolves to, asked of the resolver now (with its timeout).
    /// </summary>
    private async Task AnswerByDnsNameAsync(WhereReply reply, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var addresses = await addressNames.AddressesOfAsync(name, cancellationToken);
        foreach (var ip in addresses)
        {
            var held = await where.WhereAsync(InventoryQuery.Parse(ip), now, null, cancellationToken);
            reply.Vms.Add(held.Vms.Select(vm => replies.ToVm(vm, now)).Where(vm => reply.Vms.All(v => v.Uuid != vm.Uuid || v.Host.Name != vm.Host.Name)));
        }
        if (addresses.Count > 0)
        {
            reply.Note = $"{name} resolves to {string.Join(", ", addresses)}";
        }
    }

    /// <summary>
    /// Answers, and answers again at each change the query's watch sees, until the answer has what
    /// is waited for. Subscribed before the first answer, so no change falls between the two.
    /// </summary>
    private async Task<WhereReply> WaitAsync(string text, InventoryQuery query, AddressWait wait, CancellationToken cancellationToken)
    {
        using var watcher = feed.Subscribe(query);
        using var timeout = new CancellationTokenSource(wait.Timeout, time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        while (true)
        {
            var reply = await AnswerAsync(query, at: null, cancellationToken);
            if (wait.IsSatisfiedBy(reply))
            {
                return reply;
            }
            try
            {
                await watcher.Events.WaitToReadAsync(ended.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, wait.WhatWasSeen(reply, text)));
            }
            catch (FellBehindException e)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
            }
            while (watcher.Events.TryRead(out _))
            {
                // The next answer covers every change queued so far.
            }
        }
    }

    /// <summary>
    /// Why an answer about an address or MAC is empty although the store knows it: the station,
    /// named by its vendor, and where it was seen: "10.77.0.9 is a Ubiquiti Networks Inc. device
    /// (74:83:c2:00:00:09) on br0 of daemon2, no VM".
    /// </summary>
    private string UnownedNote(InventoryQuery query, IReadOnlyList<BoundWithoutVm> bound)
    {
        if (bound.Count == 0)
        {
            return "";
        }
        string Where(BoundWithoutVm b) => b.Device.Length > 0 ? $"on {b.Device} of {b.Host}" : $"on {b.Host}";
        if (query.Kind == QueryKind.Ip)
        {
            return string.Join("; ", bound.Select(b => $"{query.Value} is {Station(b.Value)} ({b.Value}) {Where(b)}, no VM"));
        }
        return $"{query.Value} is {Station(query.Value)} with {string.Join(", ", bound.Select(b => $"{b.Value} {Where(b)}"))}, no VM";
    }

    // "a Ubiquiti Networks Inc. device", "a QEMU/KVM virtual NIC", "a locally administered (random) MAC", "a station of unknown vendor".
    private string Station(string mac) => vendors.Describe(mac) switch
    {
        "" => "a station of unknown vendor",
        MacVendors.QemuVirtualNic or MacVendors.LocallyAdministered => $"a {vendors.Describe(mac)}",
        var vendor => $"a {vendor} device",
    };

    /// <summary>Enough close names to spot the one meant, few enough to read at a glance.</summary>
    private const int MaxSimilarNames = 5;

    public override async Task<HistoryReply> History(HistoryRequest request, ServerCallContext context)
    {
        var query = ParseQuery(request.Query);
        var now = time.GetUtcNow();
        var since = request.Since?.ToDateTimeOffset();
        var until = request.Until?.ToDateTimeOffset();
        if (since >= until)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"--since {since:u} is not before --until {until:u}"));
        }
        var reply = new HistoryReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Entries.Add(replies.ToHistory(await history.HistoryAsync(query, since, until, context.CancellationToken), now));
        if (reply.Entries.Count == 0 && IsHttp(context))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"the collector has no history for '{request.Query}'"));
        }
        return reply;
    }

    /// <summary>
    /// A call through an HTTP route rather than gRPC. An answer with nothing in it is then 404, as
    /// HTTP clients expect; gRPC callers (the CLI) get the empty reply with its explanations.
    /// </summary>
    private static bool IsHttp(ServerCallContext context) =>
        context.GetHttpContext().Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true;

    private static InventoryQuery ParseQuery(string text) =>
        string.IsNullOrWhiteSpace(text)
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, "give a VM name, a domain uuid, a MAC address or an IP address (at most 256 characters)"))
            : InventoryQuery.Parse(text);

    public override async Task<ListHostsReply> ListHosts(ListHostsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var reply = new ListHostsReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Hosts.Add((await state.ListHostsAsync(context.CancellationToken)).Select(h => replies.ToHostSummary(h, now)));
        return reply;
    }

    public override async Task<ListVmsReply> ListVms(ListVmsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var vms = await where.ListVmsAsync(request.Host.Length > 0 ? request.Host : null, now, context.CancellationToken);
        var reply = new ListVmsReply { CollectorTime = Timestamp.FromDateTimeOffset(now) };
        reply.Vms.Add(vms.Where(vm => request.Owner.Length == 0 || string.Equals(vm.Labels?.Owner, request.Owner, StringComparison.OrdinalIgnoreCase))
            .Select(vm => replies.ToVm(vm, now)));
        return reply;
    }

    private Func<string, AddressName?>? ReverseNames => addressNames.CanResolve ? addressNames.NameOf : null;

}
