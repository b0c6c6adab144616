using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// What a real libvirt host does that the test driver does not: infinite leases, tap devices that
/// change at every start, and leases and neighbour entries that outlive a stopped VM.
/// </summary>
public abstract class RealHostTruthTests(StoreKind kind) : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private const string Mac1 = "52:54:00:aa:00:01";
    private const string Mac2 = "52:54:00:aa:00:02";
    private readonly TestStore file = new(kind);

    public void Dispose()
    {
        file.Dispose();
        GC.SuppressFinalize(this);
    }

    private long Scalar(string sql) => file.Scalar<long>(sql);

    private Task Apply(HostSnapshot snapshot, DateTimeOffset at) => file.Apply(snapshot, at);

    private async Task<IReadOnlyList<LocatedVm>> Where(string query, DateTimeOffset now) =>
        (await file.Store.Where.WhereAsync(InventoryQuery.Parse(query), now, null, CancellationToken.None)).Vms;

    private static Nic Tap(string mac, string tap) => new() { Mac = mac, Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0", TargetDev = tap };

    [Fact]
    public async Task InfiniteLease_IsEvidenceNowAndLater()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1)));
        snapshot.Leases.Add(new Lease { Ip = "192.168.122.45", Mac = Mac1, Bridge = "virbr0" });
        await Apply(snapshot, T0);

        var vm = Assert.Single(await Where("192.168.122.45", T0.AddSeconds(5)));
        var lease = Assert.Single(vm.Nics[0].Addresses);
        Assert.Null(lease.LeaseExpiry);
        var asOf = await file.Store.Where.WhereAsync(InventoryQuery.Parse("192.168.122.45"), T0.AddSeconds(5), T0.AddSeconds(4), CancellationToken.None);
        Assert.Single(asOf.Vms);
    }

    [Fact]
    public async Task Restarts_RenumberAndClearTheTap_TheNicKeepsOneIntervalAndTheStatesStayInTheData()
    {
        var states = new[] { (DomainState.Paused, "vnet0"), (DomainState.Running, "vnet0"), (DomainState.Shutoff, ""), (DomainState.Paused, "vnet3"), (DomainState.Running, "vnet3") };
        for (var i = 0; i < states.Length; i++)
        {
            await Apply(Host("daemon1", Vm("web1", 1, states[i].Item1, Tap(Mac1, states[i].Item2))), T0.AddSeconds(10 * i));
        }

        Assert.Equal(1, Scalar("SELECT count(*) FROM nics"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM nics WHERE valid_to IS NULL AND target_dev = 'vnet3'"));
        Assert.Equal(5, Scalar("SELECT count(*) FROM domains"));
        Assert.Equal(2, Scalar($"SELECT count(*) FROM domains WHERE state = {(int)DomainState.Paused}"));
    }

    [Fact]
    public async Task StoppedVm_KeepsWhatOutlivesItButNotAnAddressALiveVmHoldsNow()
    {
        // web1 had .45 and .46 by lease and stopped; dnsmasq has since given .45 to web2, which runs.
        await Apply(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic(Mac1)), Vm("web2", 2, DomainState.Running, NatNic(Mac2)))
            .WithLease("192.168.122.45", Mac1, TimeSpan.FromMinutes(40))
            .WithLease("192.168.122.46", Mac1, TimeSpan.FromMinutes(40))
            .WithLease("192.168.122.45", Mac2, TimeSpan.FromMinutes(60)), T0);

        var web1 = Assert.Single(await Where("web1", T0.AddSeconds(5)));
        var byIp = Assert.Single(await Where("192.168.122.45", T0.AddSeconds(5)));

        Assert.Equal(["192.168.122.46"], web1.Nics[0].Addresses.Select(a => a.Ip), StringComparer.Ordinal);
        Assert.Equal("web2", byIp.Domain.Name);
        Assert.Equal("web1", Assert.Single(await Where("192.168.122.46", T0.AddSeconds(5))).Domain.Name);
    }

    [Fact]
    public async Task GuestAgentAddress_IsKeptAsEvidenceAndRanksFirst()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, nics: NatNic(Mac1))).WithLease("192.168.122.45", Mac1, TimeSpan.FromMinutes(50));
        snapshot.GuestAddresses.Add(new GuestAddress { Mac = Mac1, Ip = "2001:db8:beef:1::45", Device = "virbr0", Interface = "eth0" });
        await Apply(snapshot, T0);

        var addresses = Assert.Single(await Where("web1", T0.AddSeconds(5))).Nics[0].Addresses;

        Assert.Equal([("2001:db8:beef:1::45", (long)AddressSource.GuestAgent), ("192.168.122.45", (long)AddressSource.Lease)],
            addresses.Select(a => (a.Ip, a.Source)));
        Assert.Equal("web1", Assert.Single(await Where("2001:db8:beef:1::45", T0.AddSeconds(5))).Domain.Name);
    }
}

public sealed class RealHostTruthOnSqliteTests() : RealHostTruthTests(StoreKind.Sqlite);

public sealed class RealHostTruthOnPostgresTests() : RealHostTruthTests(StoreKind.Postgres);
