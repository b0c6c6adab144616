using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet watch [QUERY] [--json]</c>: one line per committed change until interrupted, for
/// one VM, MAC or address, or the whole cluster. With a query it starts with the current answer.
/// </summary>
internal sealed class WatchCommand
{
    private static readonly Argument<string?> Query = new("query")
    {
        Description = "A VM name, a domain uuid, a MAC address or an IP address; none for the whole cluster",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Command Create()
    {
        var command = new Command("watch", "Print each change as the collector commits it, until interrupted: VMs, NICs, addresses, hosts going stale");
        command.Arguments.Add(Query);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        var query = parse.GetValue(Query) ?? "";
        var json = parse.GetValue(GlobalOptions.Json);
        var utc = parse.GetValue(GlobalOptions.Utc);
        return await connection.RunAsync(inventory => WatchStream.FollowAsync(inventory, query, e =>
            {
                if (json)
                {
                    Console.Out.WriteLine(ContractText.JsonLine(e));
                }
                else if (e.Kind == WatchEventKind.Current)
                {
                    WriteCurrent(Console.Out, e.Current, query, utc);
                }
                else
                {
                    Console.Out.WriteLine(Line(e, utc));
                }
                Console.Out.Flush();
                return Task.FromResult(true);
            }, cancellationToken), _ => ExitCodes.Found);
    }

    private static void WriteCurrent(TextWriter writer, WhereReply current, string query, bool utc)
    {
        if (current.Vms.Count == 0)
        {
            writer.WriteLine($"No VM matches '{query}' yet; watching.");
            return;
        }
        WhereCommand.WriteHuman(writer, current, new WhereRequest { Query = query }, utc);
        writer.WriteLine("Watching.");
    }

    /// <summary>One event in a line: when, on which host, what.</summary>
    public static string Line(WatchEvent e, bool utc)
    {
        var vm = e.VmName.Length > 0 ? e.VmName : e.VmUuid;
        var what = e.Kind switch
        {
            WatchEventKind.VmDefined => $"{vm} defined: {DomainStates.Describe(e.State)}",
            WatchEventKind.VmUndefined => $"{vm} undefined",
            WatchEventKind.VmChanged => $"{vm} now {DomainStates.Describe(e.State)}",
            WatchEventKind.NicAdded => $"{vm} NIC {e.Mac} added on {ContractText.Attachment(e.Nic)}",
            WatchEventKind.NicRemoved => $"{vm} NIC {e.Mac} removed from {ContractText.Attachment(e.Nic)}",
            WatchEventKind.AddressBound => $"{e.Address.Ip} bound to {e.Mac}{(vm.Length > 0 ? $" ({vm})" : "")} by {ContractText.Source(e.Address)}",
            WatchEventKind.AddressUnbound => $"{e.Address.Ip} no longer bound to {e.Mac}{(vm.Length > 0 ? $" ({vm})" : "")} by {ContractText.Source(e.Address)}",
            WatchEventKind.HostStale => "host stale: it has not reported within its silence limit",
            WatchEventKind.HostBack => "host reporting again",
            _ => e.Kind.ToString(),
        };
        return $"{RelativeTime.Absolute(e.At.ToDateTimeOffset(), utc)}  {e.Host}  {what}";
    }
}
