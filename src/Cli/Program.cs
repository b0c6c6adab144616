using System.CommandLine;
using DaemonNet.Cli;
using DaemonNet.Cli.Commands;
using DaemonNet.Protos.Formats;

var root = new RootCommand("daemonnet: where are the club's VMs, and what are their addresses?")
{
    WhereCommand.Create(),
    HostsCommand.Create(),
    VmsCommand.Create(),
    HistoryCommand.Create(),
    TunnelsCommand.Create(),
    AuditCommand.Create(),
    WatchCommand.Create(),
    AlertsCommand.Create(),
    InventoryCommand.Create(),
};
root.Options.Add(GlobalOptions.Collector);
root.Options.Add(GlobalOptions.Json);
root.Options.Add(GlobalOptions.Utc);
root.Options.Add(GlobalOptions.CaFile);
root.Options.Add(GlobalOptions.CertFile);
root.Options.Add(GlobalOptions.KeyFile);
root.Options.Add(GlobalOptions.TokenFile);
root.Options.Add(GlobalOptions.Insecure);
AuditCommand.ListRulesInHelp(root);

var parse = root.Parse(args);
// Help answers even for a command line that would be refused: "inventory --help" has neither --list nor --host.
if (parse.Errors.Count > 0 && args.Any(a => a is "--help" or "-h" or "-?"))
{
    var path = new List<string>();
    for (var command = parse.CommandResult; command.Parent is System.CommandLine.Parsing.CommandResult parent; command = parent)
    {
        path.Insert(0, command.Command.Name);
    }
    return await root.Parse([.. path, "--help"]).InvokeAsync();
}
if (parse.Errors.Count > 0)
{
    // A mistyped command: name the closest one, as git does, rather than every complaint it causes.
    if (parse.CommandResult.Command == root && parse.UnmatchedTokens is [var word, ..]
        && Similarity.Closest(word, root.Subcommands.Select(c => c.Name), 1) is [var suggestion])
    {
        Console.Error.WriteLine($"daemonnet: '{word}' is not a command. Did you mean 'daemonnet {suggestion}'?");
    }
    else
    {
        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine($"daemonnet: {error.Message}");
        }
    }
    Console.Error.WriteLine("Run daemonnet --help for the commands and their options.");
    return ExitCodes.UsageError;
}
return await parse.InvokeAsync();
