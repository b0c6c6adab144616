using DaemonNet.Protos.Csv;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Tests;

/// <summary>The CSV that --csv prints and the HTTP routes answer to Accept: text/csv.</summary>
public sealed class CsvTablesTests
{
    [Fact]
    public void Write_QuotesOnlyFieldsWithCommasQuotesOrLineBreaks_AndEndsEveryRecordWithCrLf()
    {
        var text = CsvWriter.Write(["a", "b", "c", "d"], [["plain", "with, comma", "say \"hi\"", "two\nlines"]]);

        Assert.Equal("a,b,c,d\r\nplain,\"with, comma\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n", text);
    }

    [Fact]
    public void Vms_OneRecordPerAddress_AndOneForANicWithoutAny()
    {
        var reply = new ListVmsReply();
        var vm = new VmLocation
        {
            Name = "web1", Uuid = "u1", Host = new HostStatus { Name = "daemon1" }, State = DomainState.Running, Owner = "alice", Tags = { "web", "php" },
            Nics =
            {
                new NicAddresses
                {
                    Nic = new Nic { Mac = "52:54:00:aa:00:01", Network = "nat-bridge" },
                    Addresses =
                    {
                        new AddressEvidence { Ip = "192.168.122.45", Evidence = "lease", FirstSeen = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-12-07T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture)) },
                        new AddressEvidence { Ip = "2001:db8::45", Evidence = "neighbour reachable" },
                    },
                },
                new NicAddresses { Nic = new Nic { Mac = "52:54:00:aa:00:02", Bridge = "br0" } },
            },
        };
        reply.Vms.Add(vm);

        var lines = CsvTables.Vms(reply).Split("\r\n");

        Assert.Equal("vm,uuid,host,state,owner,tags,mac,network,ip,evidence,first_seen,last_confirmed", lines[0]);
        Assert.Equal("web1,u1,daemon1,running,alice,web php,52:54:00:aa:00:01,nat-bridge,192.168.122.45,lease,2026-12-07T09:00:00Z,", lines[1]);
        Assert.Equal("web1,u1,daemon1,running,alice,web php,52:54:00:aa:00:01,nat-bridge,2001:db8::45,neighbour reachable,,", lines[2]);
        Assert.Equal("web1,u1,daemon1,running,alice,web php,52:54:00:aa:00:02,br0,,,,", lines[3]);
        Assert.Equal([""], lines[4..]);
    }

    [Fact]
    public void Audit_AndAlerts_JoinListsInOneField()
    {
        var audit = new AuditReply { Findings = { new Finding { Severity = Severity.Critical, Rule = "ip-conflict", Summary = "10.0.0.5, twice", Objects = { "a", "b" }, Action = "fix" } } };
        var alerts = new ListAlertsReply
        {
            Alerts = { new Alert { Id = 7, Rule = "vm-started", Severity = Severity.Info, Summary = "web1 started", Deliveries = { new AlertDelivery { Sink = "ops", State = DeliveryState.Delivered } } } },
        };

        Assert.Equal("critical,ip-conflict,\"10.0.0.5, twice\",a; b,fix", CsvTables.Audit(audit).Split("\r\n")[1]);
        Assert.Equal("7,,info,vm-started,,web1 started,,0,ops: delivered", CsvTables.Alerts(alerts).Split("\r\n")[1]);
    }
}
