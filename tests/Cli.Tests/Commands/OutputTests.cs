using DaemonNet.Cli.Commands;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Tests.Commands;

/// <summary>The human output of the commands, from replies built by hand.</summary>
public class OutputTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Timestamp Ago(int seconds) => Timestamp.FromDateTimeOffset(Now.AddSeconds(-seconds));

    private static VmLocation Web1(bool stale)
    {
        var vm = new VmLocation
        {
            Host = new HostStatus { Name = "daemon1", LastReport = Ago(stale ? 600 : 3), Stale = stale },
            Name = "web1", Uuid = "5f0c8a52-0001-4a5e-9c1e-000000000001", State = DomainState.Running, Since = Ago(3600),
        };
        var nat = new NicAddresses { Nic = new Nic { Mac = "52:54:00:ab:01:01", Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0" } };
        nat.Addresses.Add(new AddressEvidence
        {
            Ip = "192.168.122.45", Source = AddressSource.Lease, Evidence = "lease", ObservedOn = "daemon1", FirstSeen = Ago(3600), LastConfirmed = Ago(3),
            LeaseExpiry = Timestamp.FromDateTimeOffset(Now.AddMinutes(55)),
        });
        nat.Addresses.Add(new AddressEvidence
        {
            Ip = "2001:db8:beef:1::45", Source = AddressSource.Neighbour, NeighbourState = NeighbourState.Stale, Evidence = "neighbour stale", ObservedOn = "daemon1",
            FirstSeen = Ago(1800), LastConfirmed = Ago(3),
        });
        vm.Nics.Add(nat);
        vm.Nics.Add(new NicAddresses { Nic = new Nic { Mac = "52:54:00:ab:01:02", Kind = NicKind.Bridge, Bridge = "br0" } });
        return vm;
    }

    private static string Render(Action<StringWriter> write)
    {
        using var writer = new StringWriter();
        write(writer);
        return writer.ToString();
    }

    [Fact]
    public void Where_CurrentAnswer_ShowsEachAddressWithSourceObserverAndAge()
    {
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Vms.Add(Web1(stale: false));

        var output = Render(w => WhereCommand.WriteHuman(w, reply, new WhereRequest { Query = "web1" }, utc: true));

        Assert.Equal("""
            web1 on daemon1: running since 2026-11-28 11:00:00Z  (uuid 5f0c8a52-0001-4a5e-9c1e-000000000001)
              NIC                NETWORK              ADDRESS              SOURCE           SEEN ON  CONFIRMED
              52:54:00:ab:01:01  nat-bridge (virbr0)  192.168.122.45       lease            daemon1  3 s ago, lease ends in 55 min
                                                      2001:db8:beef:1::45  neighbour stale  daemon1  3 s ago
              52:54:00:ab:01:02  bridge br0           -                    no address seen

            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Where_StaleHost_SaysSoAndSinceWhen()
    {
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Vms.Add(Web1(stale: true));

        var output = Render(w => WhereCommand.WriteHuman(w, reply, new WhereRequest { Query = "web1" }, utc: true));

        Assert.Contains("  ! daemon1 has not reported for 10 min (last report 2026-11-28 11:50:00Z): this is what it said then, not what holds now.", output);
    }

    [Fact]
    public void Where_AtAnInstant_ShowsFirstAndLastConfirmationAndNoStaleWarning()
    {
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Vms.Add(Web1(stale: true));

        var output = Render(w => WhereCommand.WriteHuman(w, reply, new WhereRequest { Query = "web1", At = Ago(900) }, utc: true));

        Assert.StartsWith("As of 2026-11-28 11:45:00Z:\n", output.ReplaceLineEndings("\n"));
        Assert.Matches(@"SEEN ON\s+FIRST SEEN\s+LAST CONFIRMED", output);
        Assert.Matches(@"192\.168\.122\.45\s+lease\s+daemon1\s+2026-11-28 11:00:00Z\s+2026-11-28 11:59:57Z", output);
        Assert.DoesNotContain("has not reported", output);
    }

    [Fact]
    public void Where_NoVmByThatName_NamesTheCloseOnes()
    {
        var reply = new WhereReply { SimilarNames = { "web1", "web2" } };

        var message = WhereCommand.NothingMatched(reply, new WhereRequest { Query = "web" }, utc: true);

        Assert.Equal("daemonnet: no VM matches 'web' (searched VM names, uuids, MACs and current addresses on every host). Close names: web1, web2.", message);
    }

    [Fact]
    public void Where_NothingAtAnInstant_NamesTheNearestRecordsBeforeAndAfter()
    {
        var reply = new WhereReply
        {
            NearestBefore = new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Running, From = Ago(7200), To = Ago(3600) },
            NearestAfter = new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon2", VmName = "web1", VmUuid = "u1", State = DomainState.Running, From = Ago(600) },
        };

        var message = WhereCommand.NothingMatched(reply, new WhereRequest { Query = "web1", At = Ago(1800) }, utc: true);

        Assert.Equal("""
            daemonnet: no VM matches 'web1' at 2026-11-28 11:30:00Z.
              nearest before: web1 running (uuid u1) on daemon1, until 2026-11-28 11:00:00Z
              nearest after: web1 running (uuid u1) on daemon2, from 2026-11-28 11:50:00Z
            """.ReplaceLineEndings("\n"), message);
    }

    [Theory]
    [InlineData(0.2, "ok")]
    [InlineData(3, "+3 s")]
    [InlineData(-3600, "-60 min")]
    public void Hosts_ClockSkew_IsShownSignedAndReadable(double seconds, string expected)
    {
        var host = new HostSummary
        {
            Status = new HostStatus { Name = "daemon1", LastReport = Ago(0) },
            AgentTime = Timestamp.FromDateTimeOffset(Now.AddSeconds(seconds)),
        };

        Assert.Equal(expected, HostsCommand.ClockSkew(host));
    }

    [Fact]
    public void History_Entries_AreOneLineEachWithNowForOpenSpans()
    {
        var reply = new HistoryReply();
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Running, From = Ago(7200), To = Ago(3600) });
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Silence, Host = "daemon1", From = Ago(3600), To = Ago(3000) });
        reply.Entries.Add(new HistoryEntry
        {
            Kind = HistoryKind.Address, Host = "daemon2", Mac = "52:54:00:ab:01:01", From = Ago(600),
            Address = new AddressEvidence { Ip = "192.168.122.45", Source = AddressSource.Lease, Evidence = "lease" },
        });

        var output = Render(w => HistoryCommand.WriteHuman(w, reply, utc: true));

        Assert.Equal("""
            FROM                  TO                    HOST     WHAT
            2026-11-28 10:00:00Z  2026-11-28 11:00:00Z  daemon1  web1 running (uuid u1)
            2026-11-28 11:00:00Z  2026-11-28 11:10:00Z  daemon1  host silent: nothing is known of it
            2026-11-28 11:50:00Z  now                   daemon2  192.168.122.45 held by 52:54:00:ab:01:01 (lease)

            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void History_AStartThroughABriefPause_ReadsAsOneStartAndALongPauseStaysApart()
    {
        var reply = new HistoryReply();
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Paused, From = Ago(3601), To = Ago(3600) });
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Running, From = Ago(3600), To = Ago(1800) });
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Paused, From = Ago(1800), To = Ago(600) });
        reply.Entries.Add(new HistoryEntry { Kind = HistoryKind.Placement, Host = "daemon1", VmName = "web1", VmUuid = "u1", State = DomainState.Running, From = Ago(600) });

        var output = Render(w => HistoryCommand.WriteHuman(w, reply, utc: true));

        Assert.Equal("""
            FROM                  TO                    HOST     WHAT
            2026-11-28 10:59:59Z  2026-11-28 11:30:00Z  daemon1  web1 running (uuid u1), after 1 s paused while starting
            2026-11-28 11:30:00Z  2026-11-28 11:50:00Z  daemon1  web1 paused (uuid u1)
            2026-11-28 11:50:00Z  now                   daemon1  web1 running (uuid u1)

            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Where_StoppedVm_MarksWhatOutlivesItAndAnInfiniteLease()
    {
        var vm = Web1(stale: false);
        vm.State = DomainState.Shutoff;
        foreach (var address in vm.Nics[0].Addresses)
        {
            address.OutlivesVm = true;
        }
        vm.Nics[0].Addresses[0].LeaseExpiry = null;
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Vms.Add(vm);

        var output = Render(w => WhereCommand.WriteHuman(w, reply, new WhereRequest { Query = "web1" }, utc: true));

        Assert.Contains("3 s ago, lease never ends; the lease outlives the stopped VM", output);
        Assert.Contains("3 s ago; the entry outlives the stopped VM", output);
    }

    [Fact]
    public void Vms_StoppedVm_ShowsNoAddressThatOutlivesIt()
    {
        var stopped = Web1(stale: false);
        stopped.State = DomainState.Shutoff;
        foreach (var address in stopped.Nics[0].Addresses)
        {
            address.OutlivesVm = true;
        }
        var reply = new ListVmsReply();
        reply.Vms.Add(stopped);
        reply.Vms.Add(Web1(stale: false));

        var lines = Render(w => VmsCommand.WriteHuman(w, reply)).Split('\n');

        Assert.Matches(@"^web1\s+daemon1\s+shut off\s+-\s+-\s*$", lines[1]);
        Assert.Matches(@"^web1\s+daemon1\s+running\s+-\s+192\.168\.122\.45 \(lease\)\s*$", lines[2]);
    }

    [Fact]
    public void Where_AMacvtapNicWithoutEvidence_IsNotObservableRatherThanWithoutAddress()
    {
        var vm = Web1(stale: false);
        vm.Nics.Add(new NicAddresses { Nic = new Nic { Mac = "52:54:00:ab:01:03", Kind = NicKind.Direct, Bridge = "eno1" } });
        var reply = new WhereReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Vms.Add(vm);

        var output = Render(w => WhereCommand.WriteHuman(w, reply, new WhereRequest { Query = "web1" }, utc: true));

        Assert.Matches(@"52:54:00:ab:01:03\s+direct eno1\s+-\s+not observable from the host", output);
        Assert.Matches(@"52:54:00:ab:01:02\s+bridge br0\s+-\s+no address seen", output);
    }

    [Theory]
    [InlineData("neighbour reachable", AddressSource.Neighbour, "neighbour reachable")]
    [InlineData("", AddressSource.Lease, "lease")]
    [InlineData("", AddressSource.GuestAgent, "guestagent")]
    public void Source_IsTheCollectorsWords_OrTheSourceFromACollectorWithoutThem(string evidence, AddressSource source, string shown)
    {
        Assert.Equal(shown, DaemonNet.Cli.Output.ContractText.Source(new AddressEvidence { Evidence = evidence, Source = source }));
    }
}
