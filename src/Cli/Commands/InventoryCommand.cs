using System.CommandLine;
using DaemonNet.Cli.Ansible;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet inventory --list | --host NAME</c>: Ansible's dynamic inventory, as an inventory
/// script answers. Ansible runs the script with only those arguments, so the choice of
/// <c>ansible_host</c> can be set through the environment as well as by options.
/// </summary>
internal sealed class InventoryCommand
{
    private static readonly Option<bool> List = new("--list")
    {
        Description = "Every group and host, with each host's variables under _meta.hostvars",
    };

    private static readonly Option<string?> HostName = new("--host")
    {
        Description = "One host's variables",
        HelpName = "NAME",
    };

    private static readonly Option<string?> Family = new("--prefer-family")
    {
        Description = "The family of ansible_host when a VM has both (default: $DAEMONNET_ANSIBLE_FAMILY, else inet)",
        HelpName = "inet|inet6",
    };

    private static readonly Option<string?> Networks = new("--prefer-networks")
    {
        Description = "Networks whose addresses come first, in order, comma separated (default: $DAEMONNET_ANSIBLE_NETWORKS)",
        HelpName = "NETWORK,...",
    };

    private static readonly Option<string?> Sources = new("--prefer-sources")
    {
        Description = $"Evidence that comes first, in order, comma separated: {string.Join(", ", AddressPreference.SourceNames.Keys)} (default: $DAEMONNET_ANSIBLE_SOURCES)",
        HelpName = "SOURCE,...",
    };

    public static Command Create()
    {
        var command = new Command("inventory", "Ansible's dynamic inventory of the VMs: use as ansible -i /usr/share/daemonnet/ansible-inventory (docs/INTEGRATIONS.md)");
        command.Options.Add(List);
        command.Options.Add(HostName);
        command.Options.Add(Family);
        command.Options.Add(Networks);
        command.Options.Add(Sources);
        command.Validators.Add(result =>
        {
            if (result.GetValue(List) == (result.GetValue(HostName) is not null))
            {
                result.AddError("give either --list or --host NAME, as Ansible does.");
            }
        });
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (Preference(parse) is not { } preference)
        {
            return Task.FromResult(ExitCodes.UsageError);
        }
        var host = parse.GetValue(HostName);
        return Question.AskAsync(parse, (inventory, options) => inventory.ListVmsAsync(new ListVmsRequest(), options), (reply, _) =>
        {
            Console.Out.WriteLine(host is null ? AnsibleInventory.List(reply, preference) : AnsibleInventory.Host(reply, host, preference));
            return ExitCodes.Found;
        }, cancellationToken);
    }

    /// <summary>The preference from the options, else the environment; null after saying on stderr what is wrong.</summary>
    private static AddressPreference? Preference(ParseResult parse)
    {
        var family = Setting(parse, Family, "DAEMONNET_ANSIBLE_FAMILY") ?? AddressPreference.Default.Family;
        var networks = Words(Setting(parse, Networks, "DAEMONNET_ANSIBLE_NETWORKS"));
        var sources = Words(Setting(parse, Sources, "DAEMONNET_ANSIBLE_SOURCES"));
        if (family is not ("inet" or "inet6"))
        {
            Console.Error.WriteLine($"daemonnet: the preferred family '{family}' is neither inet nor inet6.");
            return null;
        }
        if (sources.FirstOrDefault(s => !AddressPreference.SourceNames.ContainsKey(s)) is { } unknown)
        {
            Console.Error.WriteLine($"daemonnet: '{unknown}' is not an evidence source; use {string.Join(", ", AddressPreference.SourceNames.Keys)}.");
            return null;
        }
        return new AddressPreference(family, networks, sources);
    }

    private static string? Setting(ParseResult parse, Option<string?> option, string variable) =>
        parse.GetValue(option) ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null);

    private static string[] Words(string? list) => (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
