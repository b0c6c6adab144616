using System.CommandLine;

namespace DaemonNet.Collector;

/// <summary>The collector's flags. Each one overrides the configuration key it names.</summary>
internal static class CollectorCommand
{
    private static readonly (Option<string> Option, string Key)[] Flags =
    [
        (new("--listen") { Description = "Address for agents and clients, HOST:PORT (default 0.0.0.0:7460)", HelpName = "HOST:PORT" }, "Collector:Listen"),
        (new("--db") { Description = "SQLite database file (default /var/lib/daemonnet/collector.db)", HelpName = "PATH" }, "Collector:Db"),
        (new("--stale-after") { Description = "Silence after which a host is stale and its facts end at its last report (default: 3 of its intervals)", HelpName = "DURATION" }, "Collector:StaleAfter"),
        (new("--rejoin-window") { Description = "An address binding that vanishes and returns within this time continues (default 15m)", HelpName = "DURATION" }, "Collector:RejoinWindow"),
        (new("--retention") { Description = "Delete intervals that ended longer ago than this (default: keep everything)", HelpName = "DURATION" }, "Collector:Retention"),
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
