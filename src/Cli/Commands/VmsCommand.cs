using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary><c>daemonnet vms [--host H]</c>: one line per VM with its best-evidenced address.</summary>
internal sealed class VmsCommand
{
    private static readonly Option<string?> Host = new("--host")
    {
        Description = "Only the VMs on this host",
        HelpName = "HOST",
    };

    public static Command Create()
    {
        var command = new Command("vms", "List the VMs with their host, state and first address");
        command.Options.Add(Host);
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var host = parse.GetValue(Host) ?? "";
        return Question.AskAsync(parse, (inventory, options) => inventory.ListVmsAsync(new ListVmsRequest { Host = host }, options),
            reply => reply.Vms.Count > 0 ? null
                : host.Length > 0 ? $"daemonnet: the collector knows no VM on host '{host}' (see daemonnet hosts)."
                : "daemonnet: the collector knows no VM yet.",
            WriteHuman, cancellationToken);
    }

    public static void WriteHuman(TextWriter writer, ListVmsReply reply)
    {
        var table = new Table("VM", "HOST", "STATE", "ADDRESS");
        foreach (var vm in reply.Vms)
        {
            // A stopped VM's leases and neighbour entries say where it was, not where it is.
            var first = vm.Nics.SelectMany(n => n.Addresses).FirstOrDefault(a => !a.OutlivesVm);
            table.Add(vm.Name, vm.Host.Stale ? $"{vm.Host.Name} (stale)" : vm.Host.Name, ContractText.State(vm.State),
                first is null ? "-" : $"{first.Ip} ({ContractText.Source(first)})");
        }
        table.WriteTo(writer);
    }
}
