using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary><c>daemonnet vms [--host H] [--owner O]</c>: one line per VM with its owner and best-evidenced address.</summary>
internal sealed class VmsCommand
{
    private static readonly Option<string?> Host = new("--host")
    {
        Description = "Only the VMs on this host",
        HelpName = "HOST",
    };

    private static readonly Option<string?> Owner = new("--owner")
    {
        Description = "Only the VMs of this owner, as their libvirt metadata names it (docs/CLI.md shows how members set it)",
        HelpName = "OWNER",
    };

    public static Command Create()
    {
        var command = new Command("vms", "List the VMs with their host, state and first address");
        command.Options.Add(Host);
        command.Options.Add(Owner);
        CsvOutput.OfferOn(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = new ListVmsRequest { Host = parse.GetValue(Host) ?? "", Owner = parse.GetValue(Owner) ?? "" };
        return Question.AskAsync(parse, (inventory, options) => inventory.ListVmsAsync(request, options),
            reply => reply.Vms.Count > 0 ? null
                : request.Owner.Length > 0 ? $"daemonnet: the collector knows no VM of owner '{request.Owner}'{(request.Host.Length > 0 ? $" on host '{request.Host}'" : "")}."
                : request.Host.Length > 0 ? $"daemonnet: the collector knows no VM on host '{request.Host}' (see daemonnet hosts)."
                : "daemonnet: the collector knows no VM yet.",
            WriteHuman, cancellationToken);
    }

    public static void WriteHuman(TextWriter writer, ListVmsReply reply)
    {
        var table = new Table("VM", "HOST", "STATE", "OWNER", "ADDRESS");
        foreach (var vm in reply.Vms)
        {
            // A stopped VM's leases and neighbour entries say where it was, not where it is.
            var first = vm.Nics.SelectMany(n => n.Addresses).FirstOrDefault(a => !a.OutlivesVm);
            table.Add(vm.Name, vm.Host.Stale ? $"{vm.Host.Name} (stale)" : vm.Host.Name, DomainStates.Describe(vm.State), vm.Owner.Length > 0 ? vm.Owner : "-",
                first is null ? "-" : $"{ContractText.Address(first)} ({ContractText.Source(first)})");
        }
        table.WriteTo(writer);
    }
}
