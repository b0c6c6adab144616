using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// The skeleton every command shares: connect, ask one question with a deadline, and print the
/// reply as JSON (--json) or as text. A command keeps only its request, its sentence for an empty
/// answer, and its text.
/// </summary>
internal static class Question
{
    /// <summary>
    /// Asks, then prints: with --json the reply as JSON, with --csv its table; an empty answer is a sentence on stderr
    /// (<paramref name="nothingMatched"/> returns it, or null when there is an answer) and exit 1;
    /// otherwise the text and exit 0.
    /// </summary>
    public static Task<int> AskAsync<TReply>(ParseResult parse, Func<Inventory.InventoryClient, CallOptions, AsyncUnaryCall<TReply>> ask,
        Func<TReply, string?> nothingMatched, Action<TextWriter, TReply> writeHuman, CancellationToken cancellationToken)
        where TReply : IMessage =>
        AskAsync(parse, ask, (reply, json) =>
        {
            var csv = CsvOutput.Wanted(parse);
            if (json)
            {
                Console.Out.WriteLine(ContractText.Json(reply));
            }
            else if (csv)
            {
                CsvOutput.Write(reply);
            }
            if (nothingMatched(reply) is { } sentence)
            {
                Console.Error.WriteLine(sentence);
                return ExitCodes.NothingMatched;
            }
            if (!json && !csv)
            {
                writeHuman(Console.Out, reply);
            }
            return ExitCodes.Found;
        }, cancellationToken);

    /// <summary>Asks, then leaves the printing and the exit code to <paramref name="print"/> (reply, --json).</summary>
    public static async Task<int> AskAsync<TReply>(ParseResult parse, Func<Inventory.InventoryClient, CallOptions, AsyncUnaryCall<TReply>> ask,
        Func<TReply, bool, int> print, CancellationToken cancellationToken)
    {
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        return await connection.RunAsync(
            inventory => ask(inventory, new CallOptions(deadline: CollectorConnection.Deadline, cancellationToken: cancellationToken)).ResponseAsync,
            reply => print(reply, parse.GetValue(GlobalOptions.Json)));
    }
}
