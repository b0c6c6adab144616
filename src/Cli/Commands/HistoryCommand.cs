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

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
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
        var utc = parse.GetValue(GlobalOptions.Utc);
        return Question.AskAsync(parse, (inventory, options) => inventory.HistoryAsync(request, options),
            reply => reply.Entries.Count > 0 ? null
                : $"daemonnet: the collector has no history for '{request.Query}'{(request.Since is null && request.Until is null ? "" : " in that span")}.",
            (writer, reply) => WriteHuman(writer, reply, utc), cancellationToken);
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
