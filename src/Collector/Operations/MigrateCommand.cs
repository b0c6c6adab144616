using System.CommandLine;
using System.Data.Common;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Operations;

/// <summary><c>daemonnet-collector migrate --from PATH --to postgresql://…</c>: moves a SQLite history into PostgreSQL and checks the copy.</summary>
internal static class MigrateCommand
{
    private const int Done = 0;
    private const int Failed = 1;

    private static readonly Option<string> From = new("--from")
    {
        Description = "The SQLite database to copy (default /var/lib/daemonnet/collector.db); stop the collector that writes it first",
        HelpName = "PATH",
        DefaultValueFactory = _ => new CollectorOptions().Db,
    };

    private static readonly Option<string> To = new("--to") { Description = "The empty PostgreSQL database to copy into", HelpName = "URI", Required = true };

    public static Command Create()
    {
        var command = new Command("migrate", "Copy a SQLite history into an empty PostgreSQL database, then count every table on both sides") { From, To };
        command.SetAction(parse =>
        {
            var from = parse.GetValue(From)!;
            var to = parse.GetValue(To)!;
            try
            {
                var copied = StoreMigration.Copy(from, to, line => Console.WriteLine($"  {line}"));
                Console.WriteLine($"migrated {copied.Sum(c => c.Rows)} rows in {copied.Count} tables from {from}; every table's count agrees");
                return Done;
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or DbException or IOException or UnauthorizedAccessException)
            {
                var cause = e.InnerException is { } inner ? $" ({inner.Message})" : "";
                Console.Error.WriteLine($"daemonnet-collector migrate: {e.Message}{cause}; no row was written to the target");
                return Failed;
            }
        });
        return command;
    }
}
