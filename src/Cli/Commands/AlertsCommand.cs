using System.CommandLine;
using System.Globalization;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet alerts [--since T] [--limit N]</c>: the recent alerts, newest first, with where
/// each was delivered; <c>daemonnet alerts test SINK</c>: one test alert to one sink, now.
/// </summary>
internal sealed class AlertsCommand
{
    private static readonly Option<DateTimeOffset?> Since = TimeOptions.Create("--since", "Only alerts raised at or after this time");

    private static readonly Option<uint> Limit = new("--limit")
    {
        Description = "Show at most this many, newest first",
        HelpName = "N",
        DefaultValueFactory = _ => 50u,
    };

    private static readonly Argument<string> Sink = new("SINK") { Description = "A sink's name from the collector's settings (Collector:Alerts:Sinks)" };

    public static Command Create()
    {
        var command = new Command("alerts",
            $"Show the recent alerts and their delivery to the sinks. Alerts: {string.Join(", ", AlertRules.All.Select(r => r.Name))}");
        command.Options.Add(Since);
        command.Options.Add(Limit);
        CsvOutput.OfferOn(command);
        command.SetAction(ListAsync);
        var test = new Command("test", "Send a test alert to one sink now, and say whether it arrived");
        test.Arguments.Add(Sink);
        test.SetAction(TestAsync);
        command.Subcommands.Add(test);
        return command;
    }

    private static async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = new ListAlertsRequest { Limit = parse.GetValue(Limit) };
        if (parse.GetValue(Since) is { } since)
        {
            request.Since = Timestamp.FromDateTimeOffset(since);
        }
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        var utc = parse.GetValue(GlobalOptions.Utc);
        return await connection.RunAsync(
            () => connection.Alerts.ListAlertsAsync(request, new CallOptions(deadline: CollectorConnection.Deadline, cancellationToken: cancellationToken)).ResponseAsync,
            reply =>
            {
                if (parse.GetValue(GlobalOptions.Json))
                {
                    Console.Out.WriteLine(ContractText.Json(reply));
                }
                else if (CsvOutput.Wanted(parse))
                {
                    CsvOutput.Write(reply);
                }
                else
                {
                    WriteHuman(Console.Out, reply, utc);
                }
                return ExitCodes.Found;
            });
    }

    private static async Task<int> TestAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var sink = parse.GetValue(Sink) ?? "";
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        // A sink may take its whole timeout to fail: wait longer than the usual deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        return await connection.RunAsync(
            () => connection.Alerts.SendTestAlertAsync(new SendTestAlertRequest { Sink = sink }, new CallOptions(deadline: deadline, cancellationToken: cancellationToken)).ResponseAsync,
            reply =>
            {
                if (parse.GetValue(GlobalOptions.Json))
                {
                    Console.Out.WriteLine(ContractText.Json(reply));
                }
                if (reply.Delivery.State == DeliveryState.Delivered)
                {
                    if (!parse.GetValue(GlobalOptions.Json))
                    {
                        Console.Out.WriteLine($"Test alert delivered to {sink}.");
                    }
                    return ExitCodes.Found;
                }
                Console.Error.WriteLine($"daemonnet: the test alert did not reach {sink}: {reply.Delivery.LastError}");
                return ExitCodes.AlertNotDelivered;
            });
    }

    public static void WriteHuman(TextWriter writer, ListAlertsReply reply, bool utc)
    {
        if (reply.Alerts.Count == 0)
        {
            writer.WriteLine("No alerts yet.");
        }
        foreach (var alert in reply.Alerts)
        {
            var repeats = alert.Repeats > 0 ? $" (and {alert.Repeats} repeat{(alert.Repeats == 1 ? "" : "s")} within the dedup window)" : "";
            writer.WriteLine($"#{alert.Id.ToString(CultureInfo.InvariantCulture),-5} {RelativeTime.Absolute(alert.At.ToDateTimeOffset(), utc)}  {ContractText.SeverityName(alert.Severity).ToUpperInvariant(),-8}  {alert.Rule}  {alert.Summary}{repeats}");
            ContractText.WriteEvidenceAndAction(writer, alert.Evidence, alert.Action, "       ", utc);
            if (alert.Deliveries.Count > 0)
            {
                writer.WriteLine($"       sent: {string.Join("; ", alert.Deliveries.Select(Delivery))}");
            }
        }
        if (reply.Sinks.Count == 0)
        {
            writer.WriteLine("No sinks are configured: alerts are kept here only (Collector:Alerts:Sinks, see docs/ALERTS.md).");
            return;
        }
        writer.WriteLine();
        var table = new Table("SINK", "TYPE", "TARGET", "QUEUED", "DELIVERED", "DEAD");
        foreach (var sink in reply.Sinks)
        {
            table.Add(sink.Name, sink.Type, sink.Target, Count(sink.Queued), Count(sink.Delivered), Count(sink.Dead));
        }
        table.WriteTo(writer);
    }

    private static string Delivery(AlertDelivery delivery) => delivery.State switch
    {
        DeliveryState.Delivered => $"{delivery.Sink} delivered{(delivery.Attempts > 1 ? $" after {delivery.Attempts} attempts" : "")}",
        DeliveryState.Dead => $"{delivery.Sink} GAVE UP after {delivery.Attempts} attempt{(delivery.Attempts == 1 ? "" : "s")}: {delivery.LastError}",
        _ => delivery.Attempts == 0 ? $"{delivery.Sink} queued" : $"{delivery.Sink} retrying ({delivery.Attempts} attempts): {delivery.LastError}",
    };

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
