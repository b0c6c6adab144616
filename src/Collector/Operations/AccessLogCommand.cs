using System.CommandLine;
using System.Globalization;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Operations;

/// <summary><c>daemonnet-collector access-log [--db] [--since] [--who]</c>: who asked what, newest first, from the store.</summary>
internal static class AccessLogCommand
{
    private const int Done = 0;
    private const int Failed = 1;

    public static Command Create()
    {
        var db = new Option<string>("--db")
        {
            Description = "The collector's database: a SQLite file or a postgresql:// address (default /var/lib/daemonnet/collector.db)",
            HelpName = "PATH_OR_URI",
            DefaultValueFactory = _ => new CollectorOptions().Db,
        };
        var since = new Option<string>("--since") { Description = "How far back, e.g. 1h, 7d (default 1d)", HelpName = "DURATION", DefaultValueFactory = _ => "1d" };
        var who = new Option<string>("--who") { Description = "Only callers whose description contains this, e.g. alice, 'open read', token", HelpName = "TEXT", DefaultValueFactory = _ => "" };
        var limit = new Option<int>("--limit") { Description = "At most this many lines (default 1000)", DefaultValueFactory = _ => 1000 };
        var command = new Command("access-log", "Show who asked what: caller, method, request, answers, status and time, newest first") { db, since, who, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationText.TryParse(parse.GetValue(since), out var span))
            {
                await Console.Error.WriteLineAsync($"daemonnet-collector access-log: --since '{parse.GetValue(since)}' is not a duration: {DurationText.AcceptedForms}");
                return Failed;
            }
            try
            {
                using var store = new Store(parse.GetValue(db)!, IntervalRules.Default);
                var records = await store.Access.ReadAsync(DateTimeOffset.UtcNow - span, parse.GetValue(who)!, parse.GetValue(limit), cancellationToken);
                Console.WriteLine($"{"TIME (UTC)",-23} {"CALLER",-32} {"METHOD",-40} {"ANSWERS",7} {"MS",8} {"STATUS",-16} REQUEST");
                foreach (var r in records)
                {
                    Console.WriteLine($"{DateTimeOffset.FromUnixTimeMilliseconds(r.At).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),-23} "
                        + $"{r.Caller,-32} {r.Method,-40} {r.Answers,7} {r.Milliseconds,8:0.0} {r.Status,-16} {r.Query}");
                }
                return Done;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                await Console.Error.WriteLineAsync($"daemonnet-collector access-log: {e.Message}");
                return Failed;
            }
        });
        return command;
    }
}
