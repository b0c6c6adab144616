using System.CommandLine;
using DaemonNet.Protos.Csv;
using Google.Protobuf;

namespace DaemonNet.Cli.Output;

/// <summary><c>--csv</c>, on the commands that list (vms, hosts, history, audit, alerts): RFC 4180 text, the same table the HTTP routes answer to <c>Accept: text/csv</c>.</summary>
internal static class CsvOutput
{
    public static readonly Option<bool> Option = new("--csv")
    {
        Description = "Print the answer as CSV (RFC 4180, with a header line), for spreadsheets and scripts",
    };

    /// <summary>Offers --csv on a command, which then refuses --json beside it.</summary>
    public static void OfferOn(Command command)
    {
        command.Options.Add(Option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Option) && result.GetValue(GlobalOptions.Json))
            {
                result.AddError("--csv and --json are two formats for the same answer: choose one.");
            }
        });
    }

    public static bool Wanted(ParseResult parse) => parse.GetResult(Option) is { } result && result.GetValueOrDefault<bool>();

    public static void Write(IMessage reply) => Console.Out.Write(CsvTables.Of(reply) ?? throw new ArgumentException($"{reply.Descriptor.Name} has no CSV table", nameof(reply)));
}
