using DaemonNet.Protos.V1;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Query;

public class InventoryServiceTests
{
    [Fact]
    public async Task Where_HostSilentForThreeIntervals_IsMarkedStaleButStillAnswered()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("web1", 1)));

        server.Clock.Advance(TimeSpan.FromSeconds(29));
        var fresh = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        server.Clock.Advance(TimeSpan.FromSeconds(2));
        var stale = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);

        Assert.False(fresh.Host.Stale);
        Assert.True(stale.Host.Stale);
    }

    [Theory]
    [InlineData("10.77.0.1", "10.77.0.1 is a QEMU/KVM virtual NIC (52:54:00:00:00:fe) on br0 of daemon1, no VM")]
    [InlineData("52:54:00:00:00:fe", "52:54:00:00:00:fe is a QEMU/KVM virtual NIC with 10.77.0.1 on br0 of daemon1, no VM")]
    [InlineData("10.77.0.9", "10.77.0.9 is a Ubiquiti Networks Inc. device (74:83:c2:00:00:09) on br0 of daemon1, no VM")]
    [InlineData("10.77.0.10", "10.77.0.10 is a locally administered (random) MAC (de:ad:be:ef:00:10) on br0 of daemon1, no VM")]
    [InlineData("10.77.0.11", "10.77.0.11 is a station of unknown vendor (0c:00:00:00:00:11) on br0 of daemon1, no VM")]
    public async Task Where_AddressOrMacThatNoVmHas_NamesTheStationsVendorInTheNote(string query, string note)
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1")
            .WithNeighbour("10.77.0.1", "52:54:00:00:00:fe", NeighbourState.Permanent, "br0")
            .WithNeighbour("10.77.0.9", "74:83:c2:00:00:09", NeighbourState.Reachable, "br0")
            .WithNeighbour("10.77.0.10", "de:ad:be:ef:00:10", NeighbourState.Reachable, "br0")
            .WithNeighbour("10.77.0.11", "0c:00:00:00:00:11", NeighbourState.Reachable, "br0"));

        var reply = await server.Inventory.WhereAsync(new WhereRequest { Query = query });

        Assert.Empty(reply.Vms);
        Assert.Equal(note, reply.Note);
    }

    private static Domain Labelled(Domain vm, string owner, string title, params string[] tags)
    {
        vm.Owner = owner;
        vm.Title = title;
        vm.Tags.Add(tags);
        return vm;
    }

    [Fact]
    public async Task Labels_ShownByWhereAndVms_FilteredByOwner_AndKeptInHistoryWhenChanged()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Labelled(Vm("web1", 1), "alice", "Alice's web server", "web", "php"), Vm("db1", 2)));
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        var before = server.Clock.GetUtcNow();
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        await server.ReportAsync(Host("daemon1", Labelled(Vm("web1", 1), "bob", "Bob's now"), Vm("db1", 2)));
        server.Clock.Advance(TimeSpan.FromSeconds(1));

        var now = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        var then = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1", At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(before) })).Vms);
        var bobs = await server.Inventory.ListVmsAsync(new ListVmsRequest { Owner = "BOB" });
        var alices = await server.Inventory.ListVmsAsync(new ListVmsRequest { Owner = "alice" });
        var all = await server.Inventory.ListVmsAsync(new ListVmsRequest());

        Assert.Equal(("bob", "Bob's now", 0), (now.Owner, now.Title, now.Tags.Count));
        Assert.Equal(("alice", "Alice's web server", "web php"), (then.Owner, then.Title, string.Join(' ', then.Tags)));
        Assert.Equal(["web1"], bobs.Vms.Select(v => v.Name), StringComparer.Ordinal);
        Assert.Empty(alices.Vms);
        Assert.Equal(("db1", ""), (all.Vms[0].Name, all.Vms[0].Owner));
        Assert.True(all.Vms[1].Since.ToDateTimeOffset() < before, "relabelling web1 started a new placement interval");
    }

    [Fact]
    public async Task Where_EvidenceFromTheWire_RanksAfterReachableAndBeforeStale_AndAClaimLast()
    {
        const string Mac = "52:54:00:aa:00:09";
        await using var server = await CollectorServer.StartAsync();
        var snapshot = Host("daemon1", Vm("web9", 9, DomainState.Running, ForwardNic(Mac)))
            .WithNeighbour("10.77.0.52", Mac, NeighbourState.Stale, "br0")
            .WithNeighbour("10.77.0.51", Mac, NeighbourState.Reachable, "br0");
        snapshot.Captured.Add(new CapturedAddress { Mac = Mac, Ip = "10.77.0.53", Device = "br0", Claim = true });
        snapshot.Captured.Add(new CapturedAddress { Mac = Mac, Ip = "10.77.0.50", Device = "br0" });
        await server.ReportAsync(snapshot);

        var nic = Assert.Single(Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web9" })).Vms).Nics);

        Assert.Equal(
            [("10.77.0.51", AddressSource.Neighbour), ("10.77.0.50", AddressSource.Capture), ("10.77.0.52", AddressSource.Neighbour), ("10.77.0.53", AddressSource.Claim)],
            nic.Addresses.Select(a => (a.Ip, a.Source)));
    }

    [Fact]
    public async Task AnAddressSeenOnTheWire_CarriesWhenItWasLastSeen_InWhereAndAfterItEndsInHistory()
    {
        const string Mac = "52:54:00:aa:00:09";
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:StaleAfter"] = "1h" });
        var start = server.Clock.GetUtcNow();
        HostSnapshot Report(TimeSpan agentTime, TimeSpan? lastSeen)
        {
            var snapshot = Host("daemon1", Vm("web9", 9, DomainState.Running, ForwardNic(Mac)));
            snapshot.AgentTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(AgentClock + agentTime);
            if (lastSeen is { } seen)
            {
                snapshot.Captured.Add(new CapturedAddress { Mac = Mac, Ip = "10.77.0.50", Device = "br0", LastSeen = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(AgentClock + seen) });
            }
            return snapshot;
        }
        await server.ReportAsync(Report(TimeSpan.Zero, TimeSpan.Zero));
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await server.ReportAsync(Report(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)));
        var seen = Assert.Single(Assert.Single(Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web9" })).Vms).Nics).Addresses);
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        await server.ReportAsync(Report(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(5), null));

        var ended = Assert.Single((await server.Inventory.HistoryAsync(new HistoryRequest { Query = "10.77.0.50" })).Entries, e => e.Kind == HistoryKind.Address);

        Assert.Equal((start, start.AddMinutes(2)), (seen.FirstSeen.ToDateTimeOffset(), seen.LastConfirmed.ToDateTimeOffset()));
        Assert.Equal(start.AddMinutes(2), ended.Address.LastConfirmed.ToDateTimeOffset());
        Assert.Equal(start.AddMinutes(5).AddSeconds(5), ended.To.ToDateTimeOffset());
    }

    [Fact]
    public async Task Where_NameThatMatchesNoVm_OffersTheCloseNames()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("web1", 1), Vm("web2", 2), Vm("db1", 3)));

        var missed = await server.Inventory.WhereAsync(new WhereRequest { Query = "web" });
        var found = await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" });

        Assert.Equal(["web1", "web2"], missed.SimilarNames);
        Assert.Empty(found.SimilarNames);
    }

    [Fact]
    public async Task Where_ConfiguredStaleAfter_OverridesThreeIntervals()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:StaleAfter"] = "5s" });
        await server.ReportAsync(Host("daemon1", Vm("web1", 1)));

        server.Clock.Advance(TimeSpan.FromSeconds(6));

        Assert.True(Assert.Single((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts).Status.Stale);
    }

    [Fact]
    public async Task ListHosts_HostWithSourceErrors_ReportsThemWithTheVmCount()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("web1", 1), Vm("web2", 2)).WithError("leases"));

        var host = Assert.Single((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);

        Assert.Equal(2u, host.VmCount);
        Assert.Equal(("leases", "leases is down"), (host.Errors[0].Source, host.Errors[0].Message));
        Assert.Equal("0.1.0", host.AgentVersion);
    }

    [Fact]
    public async Task ListHosts_NoHostHasReportedYet_IsAnEmptyList()
    {
        await using var server = await CollectorServer.StartAsync();

        var reply = await server.Inventory.ListHostsAsync(new ListHostsRequest());

        Assert.Empty(reply.Hosts);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Where_EmptyQuery_IsInvalidArgument(string query)
    {
        await using var server = await CollectorServer.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Inventory.WhereAsync(new WhereRequest { Query = query }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Where_StoppedVm_MarksItsAddressesAsOutlivingItAndARunningOneNot()
    {
        await using var server = await CollectorServer.StartAsync();
        await server.ReportAsync(Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic("52:54:00:aa:00:01")), Vm("web2", 2, DomainState.Paused, NatNic("52:54:00:aa:00:02")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromMinutes(50))
            .WithNeighbour("192.168.122.46", "52:54:00:aa:00:02", NeighbourState.Reachable));

        var stopped = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web1" })).Vms);
        var paused = Assert.Single((await server.Inventory.WhereAsync(new WhereRequest { Query = "web2" })).Vms);

        Assert.True(Assert.Single(stopped.Nics[0].Addresses).OutlivesVm);
        Assert.False(Assert.Single(paused.Nics[0].Addresses).OutlivesVm);
    }

    [Fact]
    public async Task Tunnels_HostWithoutIfupdownByChoice_SaysSoAndFindsNoDrift()
    {
        await using var server = await CollectorServer.StartAsync();
        var snapshot = Host("daemon1").WithTunnel("he-ipv6", "10.99.0.11", "216.66.80.26");
        snapshot.InterfacesNotConfigured = true;
        await server.ReportAsync(snapshot);

        var host = Assert.Single((await server.Inventory.TunnelsAsync(new TunnelsRequest())).Hosts);
        var audit = await server.Inventory.AuditAsync(new AuditRequest());

        Assert.True(host.InterfacesNotConfigured);
        Assert.Empty(Assert.Single(host.Tunnels).Drift);
        Assert.DoesNotContain(audit.Findings, f => f.Rule.StartsWith("tunnel-", StringComparison.Ordinal));
        Assert.Empty((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts[0].Errors);
    }
}
