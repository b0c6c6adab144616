using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>What "where --at" offers when nothing held at the instant: the nearest interval before and after it, from the store.</summary>
/// <remarks>Reports come 10 s apart, as an agent's do: a longer gap would make the host silent in between.</remarks>
public abstract class NearestIntervalsTests(StoreKind kind) : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly TestStore file = new(kind);

    public void Dispose()
    {
        file.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task Apply(HostSnapshot snapshot, DateTimeOffset at) => file.Apply(snapshot, at);

    private Task<NearestIntervals> Nearest(string query, DateTimeOffset at, DateTimeOffset now) =>
        file.Store.History.NearestAsync(InventoryQuery.Parse(query), now, at, CancellationToken.None);

    [Fact]
    public async Task NearestAsync_VmDefinedLaterThenUndefined_OffersItsPlacementOnEachSide()
    {
        await Apply(Host("daemon1"), T0);
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(10));
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(20));
        await Apply(Host("daemon1"), T0.AddSeconds(30));
        var now = T0.AddSeconds(31);

        var early = await Nearest("web1", T0.AddSeconds(5), now);
        var late = await Nearest("web1", T0.AddSeconds(30.5), now);

        Assert.Empty(early.Before.Domains.Concat<object>(early.Before.Nics).Concat(early.Before.Bindings));
        var first = Assert.Single(early.After.Domains);
        Assert.Equal((long)DomainState.Running, first.State);
        Assert.Equal("daemon1", Assert.Single(early.After.Hosts).Value.Name);
        var last = Assert.Single(late.Before.Domains);
        Assert.Equal((long)DomainState.Shutoff, last.State);
        Assert.Equal(T0.AddSeconds(30).ToUnixTimeMilliseconds(), last.ValidTo);
        Assert.Empty(late.After.Domains.Concat<object>(late.After.Nics).Concat(late.After.Bindings));
    }

    [Fact]
    public async Task NearestAsync_AddressByIp_FollowsTheMacToItsVmAndTakesWhicheverIntervalIsNearest()
    {
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))), T0);
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))).WithNeighbour("192.168.122.45", "52:54:00:aa:00:01", NeighbourState.Reachable), T0.AddSeconds(10));
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(20));
        var now = T0.AddSeconds(21);

        var before = await Nearest("192.168.122.45", T0.AddSeconds(5), now);
        var after = await Nearest("192.168.122.45", T0.AddSeconds(20.5), now);

        Assert.Equal("192.168.122.45", Assert.Single(before.After.Bindings).Ip);
        Assert.Equal(T0.AddSeconds(20).ToUnixTimeMilliseconds(), Assert.Single(after.Before.Bindings).ValidTo);
    }

    [Fact]
    public async Task NearestAsync_OpenIntervalOfAHostSilentSince_EndedAtItsLastReport()
    {
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))), T0);
        var lastReport = T0.AddSeconds(10);
        await Apply(Host("daemon1", Vm("web1", 1, nics: NatNic("52:54:00:aa:00:01"))), lastReport);
        var now = T0.AddHours(1);

        var nearest = await Nearest("web1", T0.AddMinutes(30), now);

        var placement = Assert.Single(nearest.Before.Domains);
        Assert.Null(placement.ValidTo);
        Assert.Equal(lastReport.ToUnixTimeMilliseconds(), Assert.Single(nearest.Before.Hosts).Value.LastReport);
        Assert.Empty(nearest.After.Domains);
    }
}

public sealed class NearestIntervalsOnSqliteTests() : NearestIntervalsTests(StoreKind.Sqlite);

public sealed class NearestIntervalsOnPostgresTests() : NearestIntervalsTests(StoreKind.Postgres);
