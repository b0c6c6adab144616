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
        CsvOutput.OfferOn(command);
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

    /// <summary>A start passes through paused for about a second; a pause no longer than this, right before running, reads as part of the start.</summary>
    public static readonly TimeSpan StartingPause = TimeSpan.FromSeconds(5);

    public static void WriteHuman(TextWriter writer, HistoryReply reply, bool utc)
    {
        var table = new Table("FROM", "TO", "HOST", "WHAT");
        var entries = reply.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entries.Skip(i + 1).Any(next => IsStartedFrom(next, entry)))
            {
                // The pause stays in the data (--json); in text it is the first second of the start below.
                continue;
            }
            var from = entry.From.ToDateTimeOffset();
            var what = ContractText.Describe(entry);
            if (entries.Take(i).LastOrDefault(pause => IsStartedFrom(entry, pause)) is { } pause)
            {
                what += $", after {RelativeTime.Span(from - pause.From.ToDateTimeOffset())} paused while starting";
                from = pause.From.ToDateTimeOffset();
            }
            table.Add(RelativeTime.Absolute(from, utc), entry.To is null ? "now" : RelativeTime.Absolute(entry.To.ToDateTimeOffset(), utc),
                entry.Host, what);
        }
        table.WriteTo(writer);
    }

    // Running right after a short pause of the same VM on the same host: the two halves of one start.
    private static bool IsStartedFrom(HistoryEntry running, HistoryEntry pause) =>
        running.Kind == HistoryKind.Placement && running.State == DomainState.Running
        && pause.Kind == HistoryKind.Placement && pause.State == DomainState.Paused
        && running.VmUuid == pause.VmUuid && running.Host == pause.Host
        && pause.To is not null && pause.To.Equals(running.From)
        && pause.To.ToDateTimeOffset() - pause.From.ToDateTimeOffset() <= StartingPause;
}
