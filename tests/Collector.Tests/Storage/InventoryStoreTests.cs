using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Dapper;
using Google.Protobuf.WellKnownTypes;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The store against a real database of each kind.</summary>
public abstract class InventoryStoreTests(StoreKind kind) : StoreTests(kind)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly string[] FactTables = ["domains", "nics", "networks", "links", "bindings"];

    private Task<WhereResult> Where(string query, DateTimeOffset now) => Store.Where.WhereAsync(InventoryQuery.Parse(query), now, null, CancellationToken.None);

    private static HostSnapshot Daemon1() =>
        Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01"), ForwardNic("52:54:00:aa:00:02")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromHours(1), "web1")
            .WithNeighbour("2001:db8:beef:1::45", "52:54:00:aa:00:01", NeighbourState.Reachable)
            .WithNeighbour("10.77.0.50", "52:54:00:aa:00:02", NeighbourState.Stale, "br0");

    [Fact]
    public async Task ListVms_MoreVmsThanOneQueryTakes_DescribesEveryNicAndAddress()
    {
        var snapshot = Host("daemon1", [.. Enumerable.Range(1, 1200).Select(n => Vm($"vm{n:D4}", n, nics: NatNic($"52:54:00:aa:{n / 256:x2}:{n % 256:x2}")))]);
        foreach (var n in Enumerable.Range(1, 1200))
        {
            snapshot.WithNeighbour($"10.1.{n / 256}.{n % 256}", $"52:54:00:aa:{n / 256:x2}:{n % 256:x2}", NeighbourState.Reachable);
        }
        await Apply(snapshot, T0);

        var vms = await Store.Where.ListVmsAsync(null, T0, CancellationToken.None);

        Assert.Equal(1200, vms.Count);
        Assert.All(vms, vm => Assert.Equal($"10.1.{int.Parse(vm.Domain.Name[2..], System.Globalization.CultureInfo.InvariantCulture) / 256}.{int.Parse(vm.Domain.Name[2..], System.Globalization.CultureInfo.InvariantCulture) % 256}", Assert.Single(Assert.Single(vm.Nics).Addresses).Ip));
    }

    [Fact]
    public async Task ApplySnapshot_NewHost_OpensOneIntervalPerFact()
    {
        await Apply(Daemon1(), T0);

        Assert.Equal(1, Scalar<long>("SELECT count(*) FROM domains WHERE valid_to IS NULL"));
        Assert.Equal(2, Scalar<long>("SELECT count(*) FROM nics WHERE valid_to IS NULL"));
        Assert.Equal(3, Scalar<long>("SELECT count(*) FROM bindings WHERE valid_to IS NULL"));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Scalar<long>("SELECT min(valid_from) FROM domains"));
    }

    private static HostSnapshot ObservedAt(HostSnapshot snapshot, DateTimeOffset at)
    {
        snapshot.AgentTime = Timestamp.FromDateTimeOffset(at);
        return snapshot;
    }

    private Task<SnapshotWrite> Replay(HostSnapshot snapshot, DateTimeOffset at) =>
        Store.Ingest.ApplyAsync(FactCatalogue.Report(snapshot, at.ToUnixTimeMilliseconds()) with { Replayed = true }, at, CancellationToken.None);

    [Fact]
    public async Task Apply_ReplayedObservationNoNewerThanWhatIsStored_IsNotWrittenAgain()
    {
        await Apply(ObservedAt(Daemon1(), T0.AddSeconds(20)), T0.AddSeconds(20));
        var older = ObservedAt(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(10));

        // The agent never had the acknowledgement of an observation it made earlier, and sends it again.
        var write = await Replay(older, T0.AddSeconds(10));

        Assert.Equal(T0.AddSeconds(20), write.FiledAt);
        Assert.Equal(1, Scalar<long>("SELECT count(*) FROM domains"));
        Assert.Equal((long)DomainState.Running, Scalar<long>("SELECT state FROM domains WHERE valid_to IS NULL"));
    }

    [Fact]
    public async Task Apply_ReplayedObservationNewerThanWhatIsStored_IsFiledAtItsOwnTime()
    {
        await Apply(ObservedAt(Daemon1(), T0), T0);
        var later = ObservedAt(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(10));

        var write = await Replay(later, T0.AddSeconds(10));

        Assert.Equal(T0.AddSeconds(10), write.FiledAt);
        Assert.Equal((long)DomainState.Shutoff, Scalar<long>("SELECT state FROM domains WHERE valid_to IS NULL"));
        Assert.Equal(T0.AddSeconds(10).ToUnixTimeMilliseconds(), Scalar<long>("SELECT valid_to FROM domains WHERE state = 1"));
    }

    [Fact]
    public async Task ConfirmHeartbeat_UnchangedContent_WritesNoFactRowsAndMovesTheLastReport()
    {
        var snapshot = Daemon1();
        await Apply(snapshot, T0);
        var before = FactTables.Select(t => Scalar<string>($"SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || count(valid_to) FROM {t}")).ToList();

        var confirmed = await Store.Ingest.ConfirmHeartbeatAsync(
            new Heartbeat { HostName = "daemon1", ContentHash = ContentHash.Of(snapshot) }, T0.AddSeconds(10), CancellationToken.None);

        Assert.True(confirmed);
        Assert.Equal(before, FactTables.Select(t => Scalar<string>($"SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || count(valid_to) FROM {t}")), StringComparer.Ordinal);
        Assert.Equal(T0.AddSeconds(10).ToUnixTimeMilliseconds(), Scalar<long>("SELECT last_report FROM hosts"));
    }

    [Fact]
    public async Task ConfirmHeartbeat_ContentTheStoreDoesNotHold_IsRefusedAndWritesNothing()
    {
        await Apply(Daemon1(), T0);

        var confirmed = await Store.Ingest.ConfirmHeartbeatAsync(
            new Heartbeat { HostName = "daemon1", ContentHash = "0000" }, T0.AddSeconds(10), CancellationToken.None);

        Assert.False(confirmed);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Scalar<long>("SELECT last_report FROM hosts"));
    }

    [Fact]
    public async Task ApplySnapshot_VmStopped_ClosesTheRunningIntervalAndOpensAShutOffOne()
    {
        await Apply(Host("daemon1", Vm("web1", 1)), T0);

        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Shutoff)), T0.AddSeconds(10));

        Assert.Equal(
            [$"{(int)DomainState.Running}|{T0.ToUnixTimeMilliseconds()}|{T0.AddSeconds(10).ToUnixTimeMilliseconds()}", $"{(int)DomainState.Shutoff}|{T0.AddSeconds(10).ToUnixTimeMilliseconds()}|"],
            Database.Query<string>("SELECT state || '|' || valid_from || '|' || coalesce(CAST(valid_to AS TEXT), '') FROM domains ORDER BY id"));
    }

    [Fact]
    public async Task ApplySnapshot_NeighbourGoesFromReachableToStale_KeepsTheSameBindingInterval()
    {
        await Apply(Host("daemon1").WithNeighbour("192.168.122.45", "52:54:00:aa:00:01", NeighbourState.Reachable), T0);

        await Apply(Host("daemon1").WithNeighbour("192.168.122.45", "52:54:00:aa:00:01", NeighbourState.Stale), T0.AddSeconds(10));

        Assert.Equal(1, Scalar<long>("SELECT count(*) FROM bindings"));
        Assert.Equal((long)NeighbourState.Stale, Scalar<long>("SELECT neighbour_state FROM bindings WHERE valid_to IS NULL"));
    }

    [Fact]
    public async Task ApplySnapshot_SourceFailed_KeepsThatSourcesFactsOpen()
    {
        await Apply(Daemon1(), T0);

        await Apply(Host("daemon1").WithError("libvirt").WithError("kernel").WithError("leases"), T0.AddSeconds(10));

        Assert.Equal(0, Scalar<long>("SELECT count(*) FROM domains WHERE valid_to IS NOT NULL"));
        Assert.Equal(0, Scalar<long>("SELECT count(*) FROM bindings WHERE valid_to IS NOT NULL"));
        Assert.Single((await Where("web1", T0.AddSeconds(10))).Vms);
    }

    [Fact]
    public async Task ApplySnapshot_VmMovedToAnotherHost_ClosesTheOldIntervalAndWhereShowsTheNewHost()
    {
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01"))), T0);
        await Apply(Host("daemon2"), T0);

        await Apply(Host("daemon1"), T0.AddSeconds(20));
        await Apply(Host("daemon2", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01"))), T0.AddSeconds(20));

        var vm = Assert.Single((await Where("web1", T0.AddSeconds(20))).Vms);
        Assert.Equal("daemon2", vm.Host.Name);
        Assert.Equal(T0.AddSeconds(20).ToUnixTimeMilliseconds(),
            Scalar<long>("SELECT d.valid_to FROM domains d JOIN hosts h ON h.id = d.host_id WHERE h.name = 'daemon1'"));
    }

    [Theory]
    [InlineData("web1")]
    [InlineData("WEB1")]
    [InlineData("5f0c8a52-1111-4a5e-9c1e-000000000001")]
    [InlineData("52:54:00:AA:00:01")]
    [InlineData("52-54-00-aa-00-02")]
    [InlineData("192.168.122.45")]
    [InlineData("2001:db8:beef:1::45")]
    [InlineData("2001:DB8:BEEF:1:0:0:0:45")]
    [InlineData("10.77.0.50")]
    public async Task Where_ByNameUuidMacOrIp_FindsTheVm(string query)
    {
        await Apply(Daemon1(), T0);

        var vm = Assert.Single((await Where(query, T0)).Vms);

        Assert.Equal(("web1", "daemon1"), (vm.Domain.Name, vm.Host.Name));
    }

    [Fact]
    public async Task Where_Vm_ListsEachNicsAddressesMostTrustedFirst()
    {
        await Apply(Daemon1(), T0);

        var vm = Assert.Single((await Where("web1", T0)).Vms);

        Assert.Equal(["52:54:00:aa:00:01", "52:54:00:aa:00:02"], vm.Nics.Select(n => n.Nic.Mac), StringComparer.Ordinal);
        Assert.Equal(["192.168.122.45 lease", "2001:db8:beef:1::45 neighbour"],
            vm.Nics[0].Addresses.Select(a => $"{a.Ip} {((AddressSource)a.Source).ToString().ToLowerInvariant()}"), StringComparer.Ordinal);
        Assert.Equal("10.77.0.50", Assert.Single(vm.Nics[1].Addresses).Ip);
    }

    [Fact]
    public async Task Where_SameNameOnTwoHosts_ListsBoth()
    {
        await Apply(Host("daemon2", Vm("web1", 2)), T0);
        await Apply(Host("daemon1", Vm("web1", 1)), T0);

        var vms = (await Where("web1", T0)).Vms;

        Assert.Equal(["daemon1", "daemon2"], vms.Select(v => v.Host.Name), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Where_NatAddressOnManyHosts_ListsTheVmOfEachWithItsLease()
    {
        // Every host's libvirt hands out the same private range: one address, a VM on each host.
        var hosts = Enumerable.Range(1, 600).Select(n => $"daemon{n:D3}").ToList();
        await Task.WhenAll(hosts.Select((h, i) => Apply(Host(h, Vm($"vm{i}", i, DomainState.Running, NatNic($"52:54:00:cc:{i / 256:x2}:{i % 256:x2}")))
            .WithLease("192.168.122.45", $"52:54:00:cc:{i / 256:x2}:{i % 256:x2}", TimeSpan.FromHours(1)), T0)));

        var vms = (await Where("192.168.122.45", T0)).Vms;

        Assert.Equal(hosts, vms.Select(v => v.Host.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        Assert.All(vms, vm => Assert.Equal("192.168.122.45", Assert.Single(Assert.Single(vm.Nics).Addresses).Ip));
    }

    [Fact]
    public async Task Where_ForwardBridgeVmSeenByAnotherHost_ShowsThatHostAsTheObserver()
    {
        await Apply(Host("daemon1", Vm("lan1", 1, DomainState.Running, ForwardNic("52:54:00:bb:00:01"))), T0);
        await Apply(Host("daemon2").WithNeighbour("10.77.0.60", "52:54:00:bb:00:01", NeighbourState.Reachable, "br0"), T0);

        var address = Assert.Single(Assert.Single(Assert.Single((await Where("10.77.0.60", T0)).Vms).Nics).Addresses);

        Assert.Equal(("10.77.0.60", "daemon2"), (address.Ip, address.ObservedOn));
    }

    [Theory]
    [InlineData(NeighbourState.Failed)]
    [InlineData(NeighbourState.Incomplete)]
    [InlineData(NeighbourState.Noarp)]
    public async Task Where_NeighbourEntryThatIsNoEvidence_DoesNotGiveAnAddress(NeighbourState state)
    {
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")))
            .WithNeighbour("192.168.122.45", "52:54:00:aa:00:01", state), T0);

        Assert.Empty((await Where("192.168.122.45", T0)).Vms);
        Assert.Empty(Assert.Single((await Where("web1", T0)).Vms).Nics[0].Addresses);
    }

    [Fact]
    public async Task Where_LeaseExpiredWhenReported_IsNoEvidence()
    {
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromMinutes(-1)), T0);

        Assert.Empty((await Where("192.168.122.45", T0)).Vms);
    }

    [Fact]
    public async Task Where_LeaseThatExpiredSinceTheLastReport_IsNoEvidence()
    {
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromMinutes(10)), AgentClock);

        Assert.Single((await Where("192.168.122.45", AgentClock.AddMinutes(9))).Vms);
        Assert.Single(Assert.Single((await Where("web1", AgentClock.AddMinutes(9))).Vms).Nics[0].Addresses);
        Assert.Empty((await Where("192.168.122.45", AgentClock.AddMinutes(11))).Vms);
        Assert.Empty(Assert.Single((await Where("web1", AgentClock.AddMinutes(11))).Vms).Nics[0].Addresses);
    }

    [Fact]
    public async Task Where_AddressOfAMacThatNoVmHas_SaysWhatItIsBoundTo()
    {
        await Apply(Host("daemon1").WithNeighbour("10.77.0.1", "52:54:00:00:00:fe", NeighbourState.Permanent, "br0"), T0);

        var result = await Where("10.77.0.1", T0);

        Assert.Empty(result.Vms);
        Assert.Equal([new BoundWithoutVm("52:54:00:00:00:fe", "daemon1", "br0")], result.Unowned);
    }

    [Fact]
    public async Task ListVms_OnOneHost_ListsOnlyThatHostsVms()
    {
        await Apply(Host("daemon1", Vm("web1", 1), Vm("db1", 3)), T0);
        await Apply(Host("daemon2", Vm("web2", 2)), T0);

        var vms = await Store.Where.ListVmsAsync("daemon1", T0, CancellationToken.None);

        Assert.Equal(["db1", "web1"], vms.Select(v => v.Domain.Name), StringComparer.Ordinal);
        Assert.Equal(3, (await Store.Where.ListVmsAsync(null, T0, CancellationToken.None)).Count);
    }
}

public sealed class InventoryStoreOnSqliteTests() : InventoryStoreTests(StoreKind.Sqlite);

public sealed class InventoryStoreOnPostgresTests() : InventoryStoreTests(StoreKind.Postgres);
