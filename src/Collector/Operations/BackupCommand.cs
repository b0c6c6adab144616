using System.CommandLine;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Operations;

/// <summary><c>daemonnet-collector backup --db PATH --to FILE</c>: a consistent, checked copy of the history while the collector runs.</summary>
internal static class BackupCommand
{
    private const int Done = 0;
    private const int Failed = 1;

    private static readonly Option<string> Db = new("--db")
    {
        Description = "The collector's database (default /var/lib/daemonnet/collector.db)",
        HelpName = "PATH",
        DefaultValueFactory = _ => new CollectorOptions().Db,
    };

    private static readonly Option<string> To = new("--to") { Description = "The new file to write the copy to; never overwritten", HelpName = "FILE", Required = true };

    public static Command Create()
    {
        var command = new Command("backup", "Copy the database consistently while the collector runs and ingests, and check the copy") { Db, To };
        command.SetAction(parse =>
        {
            var db = parse.GetValue(Db)!;
            var to = parse.GetValue(To)!;
            try
            {
                var bytes = DatabaseBackup.Copy(db, to);
                Console.WriteLine($"backed up {db} to {to}: {bytes} bytes, integrity ok");
                return Done;
            }
            catch (Exception e) when (e is InvalidOperationException or SqliteException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"daemonnet-collector backup: {e.Message}");
                return Failed;
            }
        });
        return command;
    }
}
