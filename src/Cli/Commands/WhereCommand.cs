using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary><c>daemonnet where QUERY</c>: the host, state, NICs and addresses of every VM that matches.</summary>
internal sealed class WhereCommand
{
    private static readonly Argument<string> Query = new("query")
    {
        Description = "A VM name, a domain uuid, a MAC address or an IP address",
    };

    public static Command Create()
    {
        var command = new Command("where", "Show where a VM runs and its addresses, each with its evidence");
        command.Arguments.Add(Query);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var query = parse.GetValue(Query) ?? "";
        using var connection = CollectorConnection.Open(GlobalOptions.CollectorUrl(parse));
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        return await connection.RunAsync(
            inventory => inventory.WhereAsync(new WhereRequest { Query = query }, deadline: CollectorConnection.Deadline, cancellationToken: cancellationToken).ResponseAsync,
            reply => Print(reply, query, parse.GetValue(GlobalOptions.Json)));
    }

    private static int Print(WhereReply reply, string query, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(ContractText.Json(reply));
        }
        if (reply.Vms.Count == 0)
        {
            Console.Error.WriteLine(reply.Note.Length > 0
                ? $"daemonnet: no VM matches '{query}': {reply.Note}."
                : $"daemonnet: no VM matches '{query}' (searched VM names, uuids, MACs and current addresses on every host).");
            return ExitCodes.NothingMatched;
        }
        if (!json)
        {
            WriteHuman(Console.Out, reply, query);
        }
        return ExitCodes.Found;
    }

    public static void WriteHuman(TextWriter writer, WhereReply reply, string query)
    {
        var now = reply.CollectorTime.ToDateTimeOffset();
        if (reply.Vms.Count > 1)
        {
            writer.WriteLine($"{reply.Vms.Count} VMs match '{query}':");
            writer.WriteLine();
        }
        for (var i = 0; i < reply.Vms.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }
            WriteVm(writer, reply.Vms[i], now);
        }
    }

    private static void WriteVm(TextWriter writer, VmLocation vm, DateTimeOffset now)
    {
        writer.WriteLine($"{vm.Name} on {vm.Host.Name}: {ContractText.State(vm.State)} since {RelativeTime.Local(vm.Since.ToDateTimeOffset())}  (uuid {vm.Uuid})");
        if (vm.Host.Stale)
        {
            var lastReport = vm.Host.LastReport.ToDateTimeOffset();
            writer.WriteLine($"  ! {vm.Host.Name} has not reported for {RelativeTime.Span(now - lastReport)} (last report {RelativeTime.Local(lastReport)}): this is what it said then, not what holds now.");
        }
        var table = new Table("NIC", "NETWORK", "ADDRESS", "SOURCE", "SEEN ON", "CONFIRMED");
        foreach (var nic in vm.Nics)
        {
            var mac = nic.Nic.Mac;
            var attachment = ContractText.Attachment(nic.Nic);
            if (nic.Addresses.Count == 0)
            {
                table.Add(mac, attachment, "-", "no address seen", "", "");
            }
            foreach (var address in nic.Addresses)
            {
                var confirmed = RelativeTime.Ago(address.LastConfirmed.ToDateTimeOffset(), now);
                if (address.LeaseExpiry is not null)
                {
                    confirmed += $", lease ends {RelativeTime.Until(address.LeaseExpiry.ToDateTimeOffset(), now)}";
                }
                table.Add(mac, attachment, address.Ip, ContractText.Source(address), address.ObservedOn, confirmed);
                (mac, attachment) = ("", "");
            }
        }
        table.WriteTo(writer, "  ");
    }
}
