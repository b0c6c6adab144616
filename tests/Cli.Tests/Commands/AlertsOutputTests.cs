using DaemonNet.Cli.Commands;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Tests.Commands;

/// <summary>The human output of <c>daemonnet alerts</c>, from a reply built by hand.</summary>
public class AlertsOutputTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Alerts_ShowEvidenceActionRepeatsAndEachSinksDelivery_ThenTheSinks()
    {
        var reply = new ListAlertsReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        var moved = new Alert
        {
            Id = 17, Rule = "address-moved", Severity = Severity.Warning, At = Timestamp.FromDateTimeOffset(Now.AddMinutes(-5)), Repeats = 3,
            Summary = "192.168.122.45 on daemon1 changes hands", Action = "daemonnet history 192.168.122.45",
            Evidence = { new Evidence { Host = "daemon1", Source = "neighbour reachable", Since = Timestamp.FromDateTimeOffset(Now.AddMinutes(-5)), Detail = "192.168.122.45 → 52:54:00:ab:01:09 on virbr0" } },
            Deliveries =
            {
                new AlertDelivery { Sink = "ops", State = DeliveryState.Delivered, Attempts = 2 },
                new AlertDelivery { Sink = "admins", State = DeliveryState.Dead, Attempts = 1, LastError = "the queue of 1000 alerts for admins was full" },
                new AlertDelivery { Sink = "logs", State = DeliveryState.Pending, Attempts = 4, LastError = "cannot send to syslog" },
            },
        };
        reply.Alerts.Add(moved);
        reply.Sinks.Add(new SinkStatus { Name = "ops", Type = "webhook", Target = "https://hooks.club.example/d", Queued = 0, Delivered = 12, Dead = 1 });
        var output = new StringWriter();

        AlertsCommand.WriteHuman(output, reply, utc: true);

        var lines = output.ToString().Split('\n');
        Assert.Equal("#17    2026-11-28 11:55:00Z  WARNING   address-moved  192.168.122.45 on daemon1 changes hands (and 3 repeats within the dedup window)", lines[0]);
        Assert.Equal("       daemon1 (neighbour reachable since 2026-11-28 11:55:00Z): 192.168.122.45 → 52:54:00:ab:01:09 on virbr0", lines[1]);
        Assert.Equal("       → daemonnet history 192.168.122.45", lines[2]);
        Assert.Equal("       sent: ops delivered after 2 attempts; admins GAVE UP after 1 attempt: the queue of 1000 alerts for admins was full; logs retrying (4 attempts): cannot send to syslog", lines[3]);
        Assert.Matches(@"^SINK\s+TYPE\s+TARGET\s+QUEUED\s+DELIVERED\s+DEAD$", lines[5]);
        Assert.Matches(@"^ops\s+webhook\s+https://hooks\.club\.example/d\s+0\s+12\s+1$", lines[6]);
    }

    [Fact]
    public void Alerts_NoneAndNoSinks_SaysSoAndWhereToConfigureThem()
    {
        var output = new StringWriter();

        AlertsCommand.WriteHuman(output, new ListAlertsReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) }, utc: true);

        Assert.Equal(["No alerts yet.", "No sinks are configured: alerts are kept here only (Collector:Alerts:Sinks, see docs/ALERTS.md).", ""],
            output.ToString().Split('\n'));
    }
}
