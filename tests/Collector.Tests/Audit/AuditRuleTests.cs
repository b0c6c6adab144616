using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Audit;

/// <summary>Every audit rule with a scenario that triggers it and a near miss that must not.</summary>
public class AuditRuleTests
{
    private const string MacA = "52:54:00:aa:00:01";
    private const string MacB = "52:54:00:aa:00:02";

    [Fact]
    public async Task DuplicateMac_TwoVmsOnTwoHosts_IsCriticalWithBothVms()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(MacA))), Host("daemon2", Vm("db1", 2, nics: NatNic(MacA))));

        var finding = Assert.Single(await audit.FindingsAsync("duplicate-mac"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal([MacA, "web1", "db1"], finding.Objects);
        Assert.Equal(["daemon1", "daemon2"], finding.Evidence.Select(e => e.Host).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        Assert.All(finding.Evidence, e => Assert.Equal("libvirt", e.Source));
    }

    [Fact]
    public async Task DuplicateMac_NearMiss_SameVmOnTwoHostsOrMacsOneApart()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1", Vm("web1", 1, DomainState.Shutoff, NatNic(MacA)), Vm("db1", 2, nics: NatNic(MacB))),
            Host("daemon2", Vm("web1", 1, nics: NatNic(MacA))));

        Assert.Empty(await audit.FindingsAsync("duplicate-mac"));
    }

    [Fact]
    public async Task IpConflict_TwoMacsForOneLanAddressSeenFromTwoHosts_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1").WithClubNetworks().WithNeighbour("10.20.30.50", MacA, NeighbourState.Reachable, "br0"),
            Host("daemon2").WithClubNetworks().WithNeighbour("10.20.30.50", MacB, NeighbourState.Stale, "br0"));

        var finding = Assert.Single(await audit.FindingsAsync("ip-conflict"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(["10.20.30.50", MacA, MacB], finding.Objects);
        Assert.Contains("on the LAN", finding.Summary);
        Assert.Equal(["neighbour reachable", "neighbour stale"], finding.Evidence.Select(e => e.Source), StringComparer.Ordinal);
    }

    [Fact]
    public async Task IpConflict_LeaseAndNeighbourDisagreeOnOneNatBridge_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithClubNetworks()
            .WithLease("192.168.122.10", MacA, TimeSpan.FromHours(1))
            .WithNeighbour("192.168.122.10", MacB, NeighbourState.Reachable));

        var finding = Assert.Single(await audit.FindingsAsync("ip-conflict"));

        Assert.Contains("daemon1/virbr0", finding.Summary);
        Assert.Equal(["lease", "neighbour reachable"], finding.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    [Fact]
    public async Task IpConflict_NearMiss_SamePrivateAddressBehindTwoHostsNat()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1").WithClubNetworks().WithNeighbour("192.168.122.10", MacA, NeighbourState.Reachable),
            Host("daemon2").WithClubNetworks().WithNeighbour("192.168.122.10", MacB, NeighbourState.Reachable));

        Assert.Empty(await audit.FindingsAsync("ip-conflict"));
    }

    [Fact]
    public async Task VmRunningTwice_SameUuidRunningOnTwoHosts_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1)), Host("daemon2", Vm("web1", 1, DomainState.Paused)));

        var finding = Assert.Single(await audit.FindingsAsync("vm-running-twice"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(["web1", Uuid(1)], finding.Objects);
        Assert.Equal("VM web1 (" + Uuid(1) + ") runs on daemon1 and daemon2 at once", finding.Summary);
    }

    [Fact]
    public async Task VmRunningTwice_TwoVmsSharingANameRunOnTwoHosts_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1)), Host("daemon2", Vm("WEB1", 2)));

        var finding = Assert.Single(await audit.FindingsAsync("vm-running-twice"));

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(["web1", Uuid(1), Uuid(2)], finding.Objects);
        Assert.Empty(await audit.FindingsAsync("vm-defined-twice"));
    }

    [Fact]
    public async Task VmRunningTwice_NearMiss_ShutOffOnTheOtherHostOrOnlyAPrefixOfTheName()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1), Vm("web10", 3)), Host("daemon2", Vm("web1", 1, DomainState.Shutoff), Vm("web1x", 4)));

        Assert.Empty(await audit.FindingsAsync("vm-running-twice"));
    }

    [Fact]
    public async Task VmDefinedTwice_PersistentOnTwoHosts_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1)), Host("daemon2", Vm("web1", 1, DomainState.Shutoff)));

        var finding = Assert.Single(await audit.FindingsAsync("vm-defined-twice"));

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("is defined on daemon1 and daemon2", finding.Summary);
    }

    [Fact]
    public async Task VmDefinedTwice_TwoVmsSharingANameOneShutOff_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1)), Host("daemon2", Vm("web1", 2, DomainState.Shutoff)));

        var finding = Assert.Single(await audit.FindingsAsync("vm-defined-twice"));

        Assert.Equal("Two VMs named web1 are defined on daemon1 and daemon2", finding.Summary);
        Assert.Empty(await audit.FindingsAsync("vm-running-twice"));
    }

    [Fact]
    public async Task VmDefinedTwice_NearMiss_TransientCopyDuringMigration()
    {
        await using var audit = await AuditScenario.StartAsync();
        var transient = Vm("web1", 1);
        transient.Persistent = false;
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1, DomainState.Shutoff)), Host("daemon2", transient));

        Assert.Empty(await audit.FindingsAsync("vm-defined-twice"));
        Assert.Empty(await audit.FindingsAsync("vm-running-twice"));
    }

    [Fact]
    public async Task PrefixOverlap_NestedPrefixesOnTwoHosts_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1").WithClubNetworks("2001:470:7b3e:1::1/64"),
            Host("daemon2").WithClubNetworks("2001:470:7b3e::1/48"));

        var finding = Assert.Single(await audit.FindingsAsync("ipv6-prefix-overlap"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(["2001:470:7b3e:1::/64", "2001:470:7b3e::/48", "daemon1", "daemon2"], finding.Objects);
    }

    [Fact]
    public async Task PrefixOverlap_NearMiss_AdjacentPrefixesAndLinkLocal()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1").WithClubNetworks("2001:470:7b3e:1::1/64").WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", addresses: ["fe80::1/64"]),
            Host("daemon2").WithClubNetworks("2001:470:7b3e:2::1/64").WithTunnel("he-ipv6", "10.20.30.12", "216.66.80.26", addresses: ["fe80::1/64"]));

        Assert.Empty(await audit.FindingsAsync("ipv6-prefix-overlap"));
    }

    [Fact]
    public async Task NatPrefixOutsideTunnel_PrefixNotInTheRoutedOne_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync(new(StringComparer.Ordinal) { ["Collector:Tunnels:daemon1/he-ipv6:RoutedPrefix"] = "2001:470:7b3e::/48" });
        await audit.ReportAsync(Host("daemon1").WithClubNetworks("2001:470:9999:1::1/64")
            .WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", addresses: ["2001:470:1f0a:a6f::2/64"]));

        var finding = Assert.Single(await audit.FindingsAsync("nat-prefix-outside-tunnel"));

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("outside what its tunnels route (2001:470:7b3e::/48)", finding.Summary);
    }

    [Fact]
    public async Task NatPrefixOutsideTunnel_HostWithoutAnyTunnel_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithClubNetworks("2001:470:9999:1::1/64"));

        var finding = Assert.Single(await audit.FindingsAsync("nat-prefix-outside-tunnel"));

        Assert.Contains("no tunnel on daemon1 brings IPv6 in", finding.Summary);
    }

    [Fact]
    public async Task NatPrefixOutsideTunnel_NearMiss_PrefixInsideTheRoutedOne()
    {
        await using var audit = await AuditScenario.StartAsync(new(StringComparer.Ordinal) { ["Collector:Tunnels:daemon1/he-ipv6:RoutedPrefix"] = "2001:470:7b3e::/48" });
        await audit.ReportAsync(Host("daemon1").WithClubNetworks("2001:470:7b3e:1::1/64")
            .WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", addresses: ["2001:470:1f0a:a6f::2/64"]));

        Assert.Empty(await audit.FindingsAsync("nat-prefix-outside-tunnel"));
    }

    [Fact]
    public async Task TunnelDown_LinkDown_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", "DOWN").WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26"));

        var finding = Assert.Single(await audit.FindingsAsync("tunnel-down"));

        Assert.Equal((Severity.Critical, "Tunnel daemon1/he-ipv6 is DOWN"), (finding.Severity, finding.Summary));
    }

    [Fact]
    public async Task TunnelDown_NearMiss_PointToPointTunnelShowsUnknown()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", "UNKNOWN").WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26"));

        Assert.Empty(await audit.AuditAsync(new AuditRequest()));
    }

    [Fact]
    public async Task TunnelMissing_ConfiguredAutoButAbsent_IsCritical()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26"));

        var finding = Assert.Single(await audit.FindingsAsync("tunnel-missing"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("/etc/network/interfaces:12", finding.Action);
    }

    [Fact]
    public async Task TunnelMissing_NearMiss_NotAutoIsOnlyInfo()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithConfiguredTunnel("he-backup", "10.20.30.11", "184.105.253.14", auto: false));

        Assert.Equal(Severity.Info, Assert.Single(await audit.FindingsAsync("tunnel-missing")).Severity);
    }

    [Fact]
    public async Task TunnelEndpointDrift_RemoteNotTheConfiguredOne_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.30").WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26"));

        var finding = Assert.Single(await audit.FindingsAsync("tunnel-endpoint-drift"));

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(["kernel", "interfaces"], finding.Evidence.Select(e => e.Source), StringComparer.Ordinal);
    }

    [Fact]
    public async Task TunnelEndpointDrift_NearMiss_SameAddressOtherSpellingOrLocalLeftOut()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1")
            .WithTunnel("t6", "2001:db8:ffff::1", "2001:db8:ffff::2", kind: "ip6tnl").WithConfiguredTunnel("t6", "", "2001:db8:ffff:0:0::2"));

        Assert.Empty(await audit.FindingsAsync("tunnel-endpoint-drift"));
    }

    [Fact]
    public async Task TunnelUnconfigured_PresentButNotInTheFile_IsInfo()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithTunnel("vx0", "10.20.30.11", "10.20.30.12", kind: "vxlan"));

        Assert.Equal(Severity.Info, Assert.Single(await audit.FindingsAsync("tunnel-unconfigured")).Severity);
    }

    [Fact]
    public async Task TunnelUnconfigured_NearMiss_InterfacesFileUnreadable()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1").WithTunnel("vx0", "10.20.30.11", "10.20.30.12", kind: "vxlan").WithError("interfaces"));

        Assert.Empty(await audit.FindingsAsync("tunnel-unconfigured"));
    }

    [Theory]
    [InlineData(6_750_000UL, true)]
    [InlineData(3_750_000UL, false)]
    public async Task TunnelNearLimit_P95AtFourFifthsOfTheLimit_IsAWarning(ulong bytesPerMinute, bool expected)
    {
        await using var audit = await AuditScenario.StartAsync(new(StringComparer.Ordinal) { ["Collector:Tunnels:daemon1/he-ipv6:Limit"] = "1Mbit" });
        HostSnapshot Report(ulong rx)
        {
            var snapshot = Host("daemon1").WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26")
                .WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26").WithCounters("he-ipv6", rx, 1000);
            snapshot.Interval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
            return snapshot;
        }
        await audit.ReportAsync(Report(0));
        for (ulong i = 1; i <= 3; i++)
        {
            audit.Server.Clock.Advance(TimeSpan.FromMinutes(1));
            await audit.ReportAsync(Report(i * bytesPerMinute));
        }

        var findings = await audit.FindingsAsync("tunnel-near-limit");

        Assert.Equal(expected, findings.Count == 1);
        if (expected)
        {
            Assert.Equal(Severity.Warning, findings[0].Severity);
            Assert.Contains("900 kbit/s at the 95th percentile, 90% of its 1 Mbit/s limit", findings[0].Summary);
        }
    }

    [Theory]
    [InlineData(31, true)]
    [InlineData(29, false)]
    public async Task HostSilent_AfterThreeIntervals_IsAWarningAndItsFactsLeaveTheOtherRules(int seconds, bool silent)
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1)), Host("daemon2", Vm("web1", 1)));
        audit.Server.Clock.Advance(TimeSpan.FromSeconds(seconds));
        await audit.ReportAsync(Host("daemon2", Vm("web1", 1)));

        var findings = await audit.AuditAsync();

        Assert.Equal(silent ? ["host-silent"] : ["vm-defined-twice", "vm-running-twice"], findings.Select(f => f.Rule).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        if (silent)
        {
            Assert.Equal((Severity.Warning, "daemon1"), (findings[0].Severity, findings[0].Evidence[0].Host));
        }
    }

    [Fact]
    public async Task NetregUnregistered_ForwardBridgeMacNotListed_IsAWarning()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1, nics: ForwardNic(MacA)), Vm("web2", 2, nics: new Nic { Mac = MacB, Kind = NicKind.Bridge, Bridge = "br0" })).WithClubNetworks());
        var request = new AuditRequest { NetregGiven = true };
        request.Netreg.Add(new NetRegEntry { Mac = "52:54:00:ff:ff:ff", Hostname = "other" });

        var findings = await audit.FindingsAsync("netreg-unregistered", request);

        Assert.Equal([MacA, MacB], findings.Select(f => f.Objects[0]).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        Assert.All(findings, f => Assert.Equal(Severity.Warning, f.Severity));
    }

    [Fact]
    public async Task NetregUnregistered_NearMiss_ListedInOtherSpellingNatNicOrNoListGiven()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1, nics: ForwardNic(MacA)), Vm("web2", 2, nics: NatNic(MacB))).WithClubNetworks());
        var request = new AuditRequest { NetregGiven = true };
        request.Netreg.Add(new NetRegEntry { Mac = "52-54-00-AA-00-01", Hostname = "web1" });

        Assert.Empty(await audit.FindingsAsync("netreg-unregistered", request));
        Assert.Empty(await audit.FindingsAsync("netreg-unregistered", new AuditRequest()));
    }

    [Fact]
    public async Task Audit_NetRegEntryThatIsNoMac_IsRefusedNamingIt()
    {
        await using var audit = await AuditScenario.StartAsync();
        var request = new AuditRequest { NetregGiven = true };
        request.Netreg.Add(new NetRegEntry { Mac = MacA });
        request.Netreg.Add(new NetRegEntry { Mac = "web2" });

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => audit.AuditAsync(request));

        Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, "request refused: netreg[1].mac 'web2' is not a MAC address (write it as 52:54:00:12:34:56)"),
            (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task Audit_HealthyCluster_HasNoFindingsAndFindingsComeMostSevereFirst()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(
            Host("daemon1", Vm("web1", 1, nics: NatNic(MacA))).WithClubNetworks().WithNeighbour("192.168.122.10", MacA, NeighbourState.Reachable),
            Host("daemon2", Vm("db1", 2, nics: NatNic(MacB))).WithClubNetworks().WithNeighbour("192.168.122.11", MacB, NeighbourState.Reachable));
        Assert.Empty(await audit.AuditAsync());

        await audit.ReportAsync(Host("daemon3", Vm("web1", 1)).WithTunnel("vx0", "10.0.0.1", "10.0.0.2", kind: "vxlan"));
        var findings = await audit.AuditAsync();

        Assert.Equal(["vm-running-twice", "vm-defined-twice", "tunnel-unconfigured"], findings.Select(f => f.Rule), StringComparer.Ordinal);
    }

    [Fact]
    public async Task LeaseOrphaned_ALeaseNoVmHasAndOneOfAStoppedVm_AreAWarningAndInformation()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(MacA)), Vm("old1", 2, DomainState.Shutoff, NatNic(MacB)))
            .WithClubNetworks()
            .WithLease("192.168.122.10", MacA, TimeSpan.FromHours(1))
            .WithLease("192.168.122.11", MacB, TimeSpan.FromHours(1))
            .WithLease("192.168.122.12", "52:54:00:aa:00:09", TimeSpan.FromHours(1)));

        var findings = await audit.FindingsAsync("lease-orphaned");

        Assert.Equal(2, findings.Count);
        var orphan = Assert.Single(findings, f => f.Severity == Severity.Warning);
        Assert.Equal(["192.168.122.12", "52:54:00:aa:00:09"], orphan.Objects);
        Assert.Contains("which no VM on daemon1 has", orphan.Summary);
        Assert.Equal("lease", Assert.Single(orphan.Evidence).Source);
        var stopped = Assert.Single(findings, f => f.Severity == Severity.Info);
        Assert.Contains("old1 on daemon1 is shutoff but holds its lease of 192.168.122.11", stopped.Summary);
    }

    [Theory]
    [InlineData(7, null)]
    [InlineData(8, Severity.Warning)]
    [InlineData(10, Severity.Critical)]
    public async Task PoolExhaustion_ShareOfTheRangeLeased_IsAWarningFrom80AndCriticalFrom95Percent(int leases, Severity? expected)
    {
        await using var audit = await AuditScenario.StartAsync();
        var snapshot = Host("daemon1");
        var network = new Network { Name = "nat-bridge", Uuid = "uuid-nat", Bridge = "virbr0", ForwardMode = "nat", Active = true };
        network.Addresses.Add(new NetworkAddress { Cidr = "192.168.122.1/24", DhcpRanges = { new DhcpRange { Start = "192.168.122.2", End = "192.168.122.11" } } });
        snapshot.Networks.Add(network);
        for (var i = 0; i < leases; i++)
        {
            snapshot.WithLease($"192.168.122.{2 + i}", $"52:54:00:aa:01:{i:x2}", TimeSpan.FromHours(1));
        }
        // A lease outside the range does not count.
        snapshot.WithLease("192.168.122.200", "52:54:00:aa:02:00", TimeSpan.FromHours(1));
        await audit.ReportAsync(snapshot);

        var findings = await audit.FindingsAsync("pool-exhaustion");

        Assert.Equal(expected, findings.SingleOrDefault()?.Severity);
        if (expected is not null)
        {
            Assert.Contains($"leased {leases} of the 10 addresses of 192.168.122.2–192.168.122.11", findings[0].Summary);
        }
    }

    [Fact]
    public async Task NicUnobservable_ARunningVmsMacvtapNicWithoutAGuestAgent_IsInformation()
    {
        await using var audit = await AuditScenario.StartAsync();
        var macvtap = new Nic { Mac = MacA, Kind = NicKind.Direct, Bridge = "eno1" };
        var withAgent = new Nic { Mac = MacB, Kind = NicKind.Direct, Bridge = "eno1" };
        var snapshot = Host("daemon1", Vm("web1", 1, nics: macvtap), Vm("db1", 2, nics: withAgent), Vm("old1", 3, DomainState.Shutoff, new Nic { Mac = "52:54:00:aa:00:03", Kind = NicKind.Direct, Bridge = "eno1" }));
        snapshot.GuestAddresses.Add(new GuestAddress { Mac = MacB, Ip = "10.77.0.60", Device = "eno1", Interface = "eth0" });
        await audit.ReportAsync(snapshot);

        var finding = Assert.Single(await audit.FindingsAsync("nic-unobservable"));

        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Equal([MacA, "web1"], finding.Objects);
        Assert.Contains("macvtap on eno1", finding.Summary);
    }

    private static HostSnapshot WithCaptured(HostSnapshot snapshot, string ip, string mac, bool claim = false)
    {
        snapshot.Captured.Add(new CapturedAddress { Mac = mac, Ip = ip, Device = "br0", Claim = claim });
        return snapshot;
    }

    [Fact]
    public async Task IpConflict_TwoMacsClaimingOneAddressOnTheWire_IsCriticalWithTheWireAsEvidence()
    {
        await using var audit = await AuditScenario.StartAsync();
        await audit.ReportAsync(WithCaptured(WithCaptured(Host("daemon1").WithClubNetworks(), "10.20.30.50", MacA), "10.20.30.50", MacB));

        var finding = Assert.Single(await audit.FindingsAsync("ip-conflict"));

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.All(finding.Evidence, e => Assert.Equal("seen on the wire", e.Source));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public async Task FlipFlop_AMacWithThreeIpv4AddressesOnTheWire_IsAWarning(int addresses, bool expected)
    {
        await using var audit = await AuditScenario.StartAsync();
        var snapshot = Host("daemon1").WithClubNetworks();
        for (var i = 0; i < addresses; i++)
        {
            WithCaptured(snapshot, $"10.20.30.{50 + i}", MacA);
        }
        WithCaptured(snapshot, "2001:db8:77::50", MacA);
        WithCaptured(snapshot, "10.20.30.99", MacA, claim: true);
        await audit.ReportAsync(snapshot);

        var findings = await audit.FindingsAsync("flip-flop");

        Assert.Equal(expected, findings.Count == 1);
        if (expected)
        {
            Assert.Equal([MacA, "10.20.30.50", "10.20.30.51", "10.20.30.52"], findings[0].Objects);
            Assert.Equal(Severity.Warning, findings[0].Severity);
        }
    }
}
