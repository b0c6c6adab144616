using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet history QUERY [--since T] [--until T]</c>: the timeline of a VM, MAC or address,
/// oldest first: where it ran and in which state, its NICs, its address bindings, and the spans
/// in which a host was silent.
/// </summary>
internal sealed class HistoryCommand
{
    private static readonly Argument<string> Query = new("query")
    {
        Description = "A VM name, a domain uuid, a MAC address or an IP address",
    };

    private static readonly Option<DateTimeOffset?> Since = TimeOptions.Create("--since", "Only what held at or after this time");

    private static readonly Option<DateTimeOffset?> Until = TimeOptions.Create("--until", "Only what held before this time");

    public static Command Create()
    {
        var command = new Command("history", "Show the timeline of a VM, MAC or IP address: placement, state, NICs and addresses");
        command.Arguments.Add(Query);
        command.Options.Add(Since);
        command.Options.Add(Until);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = new HistoryRequest { Query = parse.GetValue(Query) ?? "" };
        if (parse.GetValue(Since) is { } since)
        {
            request.Since = Timestamp.FromDateTimeOffset(since);
        }
        if (parse.GetValue(Until) is { } until)
        {
            request.Until = Timestamp.FromDateTimeOffset(until);
        }
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        return await connection.RunAsync(
            inventory => inventory.HistoryAsync(request, deadline: CollectorConnection.Deadline, cancellationToken: cancellationToken).ResponseAsync,
            reply => Print(reply, request, parse.GetValue(GlobalOptions.Json), parse.GetValue(GlobalOptions.Utc)));
    }

    private static int Print(HistoryReply reply, HistoryRequest request, bool json, bool utc)
    {
        if (json)
        {
            Console.Out.WriteLine(ContractText.Json(reply));
        }
        if (reply.Entries.Count == 0)
        {
            Console.Error.WriteLine($"daemonnet: the collector has no history for '{request.Query}'{(request.Since is null && request.Until is null ? "" : " in that span")}.");
            return ExitCodes.NothingMatched;
        }
        if (!json)
        {
            WriteHuman(Console.Out, reply, utc);
        }
        return ExitCodes.Found;
    }

    public static void WriteHuman(TextWriter writer, HistoryReply reply, bool utc)
    {
        var table = new Table("FROM", "TO", "HOST", "WHAT");
        foreach (var entry in reply.Entries)
        {
            table.Add(RelativeTime.Absolute(entry.From.ToDateTimeOffset(), utc),
                entry.To is null ? "now" : RelativeTime.Absolute(entry.To.ToDateTimeOffset(), utc),
                entry.Host, ContractText.Describe(entry));
        }
        table.WriteTo(writer);
    }
}
