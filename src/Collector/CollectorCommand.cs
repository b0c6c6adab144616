using System.CommandLine;

namespace DaemonNet.Collector;

/// <summary>The collector's flags. Each one overrides the configuration key it names.</summary>
internal static class CollectorCommand
{
    private static readonly (Option<string> Option, string Key)[] Flags =
    [
        (new("--listen") { Description = "Address for agents and clients, HOST:PORT (default 0.0.0.0:7460)", HelpName = "HOST:PORT" }, "Collector:Listen"),
        (new("--db") { Description = "SQLite database file (default /var/lib/daemonnet/collector.db)", HelpName = "PATH" }, "Collector:Db"),
        (new("--stale-after") { Description = "Silence after which a host is shown as stale (default: 3 of its intervals)", HelpName = "DURATION" }, "Collector:StaleAfter"),
    ];

    public static RootCommand Create(Func<Dictionary<string, string?>, CancellationToken, Task<int>> run)
    {
        var command = new RootCommand("daemonnet-collector: keeps the cluster's VM and network inventory, and its history, in SQLite.");
        foreach (var (option, _) in Flags)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            foreach (var (option, key) in Flags)
            {
                if (result.GetValue(option) is { } value)
                {
                    overrides[key] = value;
                }
            }
            return run(overrides, cancellationToken);
        });
        return command;
    }
}
