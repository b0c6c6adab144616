using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>How intervals begin and end over time: silences, rejoins, takeovers, as-of lookups, history, pruning.</summary>
public abstract class IntervalHistoryTests(StoreKind kind) : StoreTests(kind)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<LocatedVm>> WhereAt(string query, DateTimeOffset at, DateTimeOffset? now = null) =>
        (await Store.Where.WhereAsync(InventoryQuery.Parse(query), now ?? at, at, CancellationToken.None)).Vms;

    private static HostSnapshot Web1(NeighbourState? neighbour = NeighbourState.Reachable, string mac = "52:54:00:aa:00:01")
    {
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")), Vm("web2", 2, DomainState.Running, NatNic("52:54:00:aa:00:02")));
        return neighbour is { } state ? snapshot.WithNeighbour("192.168.122.45", mac, state) : snapshot;
    }

    /// <summary>Reports every 10 s from <paramref name="from"/> for <paramref name="count"/> reports.</summary>
    private async Task ReportEvery10s(Func<int, HostSnapshot> snapshot, DateTimeOffset from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Apply(snapshot(i), from.AddSeconds(10 * i));
        }
    }

    [Fact]
    public async Task WhereAt_InstantInsideAnInterval_AnswersAsThingsStoodThen()
    {
        await Apply(Web1(), T0);
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(10));

        var then = Assert.Single(await WhereAt("web1", T0.AddSeconds(5), now: T0.AddSeconds(15)));
        var later = Assert.Single(await WhereAt("web1", T0.AddSeconds(12), now: T0.AddSeconds(15)));

        Assert.Equal((long)DomainState.Running, then.Domain.State);
        Assert.Equal("192.168.122.45", Assert.Single(then.Nics[0].Addresses).Ip);
        Assert.Equal((long)DomainState.Shutoff, later.Domain.State);
        Assert.Empty(later.Nics[0].Addresses);
        Assert.Empty(await WhereAt("192.168.122.45", T0.AddSeconds(12), now: T0.AddSeconds(15)));
        Assert.Equal("web1", Assert.Single(await WhereAt("192.168.122.45", T0.AddSeconds(5), now: T0.AddSeconds(15))).Domain.Name);
    }

    [Fact]
    public async Task ApplySnapshot_HostBackAfterSilence_EndsOldIntervalsAtTheLastReportAndRecordsTheGap()
    {
        await Apply(Web1(), T0);
        await Apply(Web1(), T0.AddSeconds(10));

        await Apply(Web1(), T0.AddMinutes(10));

        var last = T0.AddSeconds(10).ToUnixTimeMilliseconds();
        Assert.Equal(2, Scalar<long>($"SELECT count(*) FROM domains WHERE valid_to = {last}"));
        Assert.Equal(1, Scalar<long>($"SELECT count(*) FROM bindings WHERE valid_to = {last} AND last_seen = {last}"));
        Assert.Equal($"{last}|{T0.AddMinutes(10).ToUnixTimeMilliseconds()}", Scalar<string>("SELECT valid_from || '|' || valid_to FROM host_silences"));
        Assert.Empty(await WhereAt("web1", T0.AddMinutes(5)));
        Assert.Single(await WhereAt("web1", T0.AddSeconds(5)));
        Assert.Single(await WhereAt("web1", T0.AddMinutes(10)));
    }

    [Fact]
    public async Task WhereAt_HostSilentNow_ItsOpenFactsEndAtItsLastReport()
    {
        await Apply(Web1(), T0);

        Assert.Single(await WhereAt("web1", T0.AddSeconds(20), now: T0.AddSeconds(25)));
        Assert.Empty(await WhereAt("web1", T0.AddSeconds(20), now: T0.AddMinutes(5)));
        var current = Assert.Single((await Store.Where.WhereAsync(InventoryQuery.Parse("web1"), T0.AddMinutes(5), null, CancellationToken.None)).Vms);
        Assert.True(IntervalRules.Default.IsSilent(current.Host, T0.AddMinutes(5)));
    }

    [Fact]
    public async Task ConfirmHeartbeat_AfterASilence_IsRefusedSoTheAgentSendsASnapshot()
    {
        var snapshot = Web1();
        await Apply(snapshot, T0);

        var heartbeat = new Heartbeat { HostName = "daemon1", ContentHash = ContentHash.Of(snapshot) };

        Assert.True(await Store.Ingest.ConfirmHeartbeatAsync(heartbeat, T0.AddSeconds(25), CancellationToken.None));
        Assert.False(await Store.Ingest.ConfirmHeartbeatAsync(heartbeat, T0.AddMinutes(5), CancellationToken.None));
    }

    /// <summary>A report whose agent observed it at <paramref name="agentTime"/>.</summary>
    private static HostSnapshot Web1ObservedAt(DateTimeOffset agentTime)
    {
        var snapshot = Web1();
        snapshot.AgentTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(agentTime);
        return snapshot;
    }

    private static Heartbeat HeartbeatObservedAt(HostSnapshot snapshot, DateTimeOffset? agentTime) => new()
    {
        HostName = "daemon1",
        ContentHash = ContentHash.Of(snapshot),
        AgentTime = agentTime is { } time ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(time) : null,
    };

    [Fact]
    public async Task ConfirmHeartbeat_ReadLateByABusyCollector_IsConfirmedWhenTheAgentObservedWithinTheLimit()
    {
        var snapshot = Web1ObservedAt(T0);
        await Apply(snapshot, T0);

        // The collector reads it five minutes late; the agent made it ten seconds after the snapshot.
        Assert.True(await Store.Ingest.ConfirmHeartbeatAsync(HeartbeatObservedAt(snapshot, T0.AddSeconds(10)), T0.AddMinutes(5), CancellationToken.None));

        Assert.Equal(0, Scalar<long>("SELECT count(*) FROM host_silences"));
        Assert.Equal(T0.AddMinutes(5).ToUnixTimeMilliseconds(), Scalar<long>("SELECT last_report FROM hosts"));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(0)]
    [InlineData(-10)]
    [InlineData(null)]
    public async Task ConfirmHeartbeat_AfterASilenceByBothClocks_IsRefused(int? agentSecondsLater)
    {
        var snapshot = Web1ObservedAt(T0);
        await Apply(snapshot, T0);

        var heartbeat = HeartbeatObservedAt(snapshot, agentSecondsLater is { } seconds ? T0.AddSeconds(seconds) : null);

        Assert.False(await Store.Ingest.ConfirmHeartbeatAsync(heartbeat, T0.AddMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task ApplySnapshot_ReadLateByABusyCollector_ContinuesTheIntervalsWithoutASilence()
    {
        await Apply(Web1ObservedAt(T0), T0);

        await Apply(Web1ObservedAt(T0.AddSeconds(10)), T0.AddMinutes(5));

        Assert.Equal(0, Scalar<long>("SELECT count(*) FROM host_silences"));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Scalar<long>("SELECT min(valid_from) FROM domains WHERE valid_to IS NULL"));
        Assert.Equal(2, Scalar<long>("SELECT count(*) FROM domains"));
        Assert.Single(await WhereAt("web1", T0.AddMinutes(2), now: T0.AddMinutes(5)));
    }

    [Fact]
    public async Task ApplySnapshot_AgentItselfAwayLongerThanTheLimit_IsASilence()
    {
        await Apply(Web1ObservedAt(T0), T0);

        await Apply(Web1ObservedAt(T0.AddMinutes(5)), T0.AddMinutes(5));

        Assert.Equal($"{T0.ToUnixTimeMilliseconds()}|{T0.AddMinutes(5).ToUnixTimeMilliseconds()}", Scalar<string>("SELECT valid_from || '|' || valid_to FROM host_silences"));
        Assert.Empty(await WhereAt("web1", T0.AddMinutes(2), now: T0.AddMinutes(5)));
    }

    [Fact]
    public async Task ApplySnapshot_BindingGoneBrieflyWithinTheWindow_ContinuesTheSameInterval()
    {
        await ReportEvery10s(i => Web1(i is >= 2 and <= 5 ? null : NeighbourState.Reachable), T0, 8);

        Assert.Equal(1, Scalar<long>("SELECT count(*) FROM bindings"));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Scalar<long>("SELECT valid_from FROM bindings WHERE valid_to IS NULL"));
        Assert.Single(await WhereAt("192.168.122.45", T0.AddSeconds(35), now: T0.AddSeconds(75)));
    }

    [Fact]
    public async Task ApplySnapshot_BindingGoneLongerThanTheWindow_StartsANewInterval()
    {
        var gone = (int)(IntervalRules.Default.RejoinWindow.TotalSeconds / 10) + 2;

        await ReportEvery10s(i => Web1(i >= 1 && i <= gone ? null : NeighbourState.Reachable), T0, gone + 2);

        Assert.Equal(2, Scalar<long>("SELECT count(*) FROM bindings"));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Scalar<long>("SELECT last_seen FROM bindings WHERE valid_to IS NOT NULL"));
    }

    [Fact]
    public async Task ApplySnapshot_AddressTakenOverByAnotherMac_EndsTheOldBindingAndDoesNotRejoinIt()
    {
        await ReportEvery10s(i => Web1(mac: i is 1 or 2 ? "52:54:00:aa:00:02" : "52:54:00:aa:00:01"), T0, 4);

        Assert.Equal(
            [$"52:54:00:aa:00:01|{T0.ToUnixTimeMilliseconds()}|{T0.AddSeconds(10).ToUnixTimeMilliseconds()}",
             $"52:54:00:aa:00:02|{T0.AddSeconds(10).ToUnixTimeMilliseconds()}|{T0.AddSeconds(30).ToUnixTimeMilliseconds()}",
             $"52:54:00:aa:00:01|{T0.AddSeconds(30).ToUnixTimeMilliseconds()}|"],
            Database.Query<string>("SELECT mac || '|' || valid_from || '|' || coalesce(CAST(valid_to AS TEXT), '') FROM bindings ORDER BY id"));
        Assert.Equal("web2", Assert.Single(await WhereAt("192.168.122.45", T0.AddSeconds(15), now: T0.AddSeconds(35))).Domain.Name);
    }

    [Fact]
    public async Task ApplySnapshot_BindingBackAfterAHostSilence_StartsANewInterval()
    {
        await Apply(Web1(), T0);

        await Apply(Web1(), T0.AddMinutes(2));

        Assert.Equal(2, Scalar<long>("SELECT count(*) FROM bindings"));
    }

    [Fact]
    public async Task History_VmThatMovedAndChangedAddress_ListsEverySpanOldestFirst()
    {
        await Apply(Web1(), T0);
        await Apply(Host("daemon2"), T0);
        await Apply(Host("daemon1").WithNeighbour("192.168.122.45", "52:54:00:aa:00:01", NeighbourState.Stale), T0.AddSeconds(10));
        await Apply(Host("daemon2", Vm("web1", 1, DomainState.Running, ForwardNic("52:54:00:aa:00:01")))
            .WithNeighbour("10.77.0.50", "52:54:00:aa:00:01", NeighbourState.Reachable, "br0"), T0.AddSeconds(10));

        var history = await Store.History.HistoryAsync(InventoryQuery.Parse("web1"), null, null, CancellationToken.None);

        Assert.Equal(["daemon1 web1 open=False", "daemon2 web1 open=True"],
            history.Domains.Select(d => $"{history.Hosts[d.HostId].Name} {d.Name} open={d.ValidTo is null}").Order(StringComparer.Ordinal), StringComparer.Ordinal);
        Assert.Equal(["nat-bridge", "forward-bridge"], history.Nics.OrderBy(n => n.ValidFrom).Select(n => n.Network), StringComparer.Ordinal);
        Assert.Equal(["192.168.122.45@daemon1", "10.77.0.50@daemon2"], history.Bindings.OrderBy(b => b.ValidFrom).Select(b => $"{b.Ip}@{b.ObservedOn}"), StringComparer.Ordinal);
    }

    [Fact]
    public async Task History_ByAddress_NamesEveryVmThatHeldIt()
    {
        await ReportEvery10s(i => Web1(mac: i is 1 or 2 ? "52:54:00:aa:00:02" : "52:54:00:aa:00:01"), T0, 4);

        var history = await Store.History.HistoryAsync(InventoryQuery.Parse("192.168.122.45"), null, null, CancellationToken.None);

        Assert.Equal(3, history.Bindings.Count);
        Assert.Equal(["web1", "web2"], history.Domains.Select(d => d.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    [Fact]
    public async Task History_SinceAndUntil_KeepOnlyOverlappingSpans()
    {
        await ReportEvery10s(i => Host("daemon1", Vm("web1", 1, i < 2 ? DomainState.Running : DomainState.Paused)), T0, 4);

        var history = await Store.History.HistoryAsync(InventoryQuery.Parse("web1"), T0.AddSeconds(25), T0.AddSeconds(35), CancellationToken.None);

        Assert.Equal((long)DomainState.Paused, Assert.Single(history.Domains).State);
    }

    [Fact]
    public async Task Prune_IntervalsEndedBeforeTheHorizon_AreDeleted()
    {
        await ShortLivedBindings.Report(Apply, T0);

        var removed = await Store.Retention.PruneAsync(T0.AddSeconds(1001), CancellationToken.None);

        Assert.Equal(ShortLivedBindings.Count, removed);
        Assert.Equal(0, Scalar<long>("SELECT count(*) FROM bindings"));
        Assert.Equal(1, Scalar<long>("SELECT count(*) FROM domains WHERE valid_to IS NULL"));
    }
}

public sealed class IntervalHistoryOnSqliteTests() : IntervalHistoryTests(StoreKind.Sqlite);

public sealed class IntervalHistoryOnPostgresTests() : IntervalHistoryTests(StoreKind.Postgres);
