using DaemonNet.Protos.V1;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Watching;

/// <summary>The Watch stream against the real collector: what each commit sends, to whom, and staleness.</summary>
public class WatchTests
{
    private const string Mac1 = "52:54:00:aa:00:01";

    private static async Task<WatchEvent> NextAsync(AsyncServerStreamingCall<WatchEvent> watch)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await watch.ResponseStream.MoveNext(patience.Token), "the watch ended");
        return watch.ResponseStream.Current;
    }

    [Fact]
    public async Task Watch_AQuery_StartsWithTheCurrentAnswerThenSendsEachChangeOfThatVm()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("db1", 2)));
        using var watch = server.Inventory.Watch(new WatchRequest { Query = "web1" });

        var current = await NextAsync(watch);
        await server.ReportAsync(Host("daemon1", Vm("db1", 2), Vm("web1", 1, DomainState.Paused, NatNic(Mac1))));
        var defined = await NextAsync(watch);
        var nic = await NextAsync(watch);
        await server.ReportAsync(Host("daemon1", Vm("db1", 2), Vm("web1", 1, DomainState.Running, NatNic(Mac1)))
            .WithLease("192.168.122.45", Mac1, TimeSpan.FromHours(1)));
        var changed = await NextAsync(watch);
        var bound = await NextAsync(watch);

        Assert.Equal(WatchEventKind.Current, current.Kind);
        Assert.Empty(current.Current.Vms);
        Assert.Equal((WatchEventKind.VmDefined, "web1", DomainState.Paused, "daemon1"), (defined.Kind, defined.VmName, defined.State, defined.Host));
        Assert.Equal((WatchEventKind.NicAdded, Mac1, "nat-bridge"), (nic.Kind, nic.Nic.Mac, nic.Nic.Network));
        Assert.Equal((WatchEventKind.VmChanged, DomainState.Running), (changed.Kind, changed.State));
        Assert.Equal((WatchEventKind.AddressBound, "web1", "192.168.122.45", AddressSource.Lease), (bound.Kind, bound.VmName, bound.Address.Ip, bound.Address.Source));
        Assert.Equal("daemon1", bound.Address.ObservedOn);
    }

    [Fact]
    public async Task Watch_AMoveBetweenHosts_IsUndefinedOnOneAndDefinedOnTheOther_AndOtherVmsAreNotSent()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("web1", 1), Vm("db1", 2)));
        await server.ReportAsync(Host("daemon2"));
        using var watch = server.Inventory.Watch(new WatchRequest { Query = "web1" });
        var current = await NextAsync(watch);

        await server.ReportAsync(Host("daemon2", Vm("web1", 1)));
        await server.ReportAsync(Host("daemon1", Vm("db1", 2, DomainState.Paused)));
        var defined = await NextAsync(watch);
        var undefined = await NextAsync(watch);

        Assert.Equal("daemon1", Assert.Single(current.Current.Vms).Host.Name);
        Assert.Equal((WatchEventKind.VmDefined, "daemon2"), (defined.Kind, defined.Host));
        Assert.Equal((WatchEventKind.VmUndefined, "daemon1", "web1"), (undefined.Kind, undefined.Host, undefined.VmName));
    }

    [Fact]
    public async Task Watch_WholeCluster_SendsEveryChangeAndStalenessBothWays()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1"));
        using var watch = server.Inventory.Watch(new WatchRequest());
        // The collector sends the headers once it has subscribed: from then on nothing is missed.
        await watch.ResponseHeadersAsync;

        await server.ReportAsync(Host("daemon1", Vm("db1", 2)));
        var defined = await NextAsync(watch);
        // The silence limit is three 10 s intervals; the monitor looks every second.
        server.Clock.Advance(TimeSpan.FromSeconds(31));
        var stale = await NextAsync(watch);
        await server.ReportAsync(Host("daemon1", Vm("db1", 2)));
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var back = await NextAsync(watch);

        Assert.Equal((WatchEventKind.VmDefined, "db1", "daemon1"), (defined.Kind, defined.VmName, defined.Host));
        Assert.Equal((WatchEventKind.HostStale, "daemon1"), (stale.Kind, stale.Host));
        Assert.Equal((WatchEventKind.HostBack, "daemon1"), (back.Kind, back.Host));
    }
}
