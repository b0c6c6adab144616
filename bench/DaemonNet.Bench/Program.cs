using System.CommandLine;
using DaemonNet.Bench;

var hosts = new Option<int>("--hosts") { Description = "Simulated hosts", DefaultValueFactory = _ => 1000 };
var vms = new Option<int>("--vms") { Description = "VMs per host", DefaultValueFactory = _ => 50 };
var days = new Option<int>("--days") { Description = "Simulated days", DefaultValueFactory = _ => 30 };
var queries = new Option<int>("--queries") { Description = "Queries of each kind to time", DefaultValueFactory = _ => 3000 };
var db = new Option<string>("--db") { Description = "Database file (default: a new temporary file)" };

var history = new Command("history", "Grow a history store over simulated days and time queries on it") { hosts, vms, days, queries, db };
history.SetAction(async parse =>
{
    var path = parse.GetValue(db) ?? Path.Combine(Directory.CreateTempSubdirectory("daemonnet-bench-").FullName, "collector.db");
    await new HistoryGrowth(parse.GetValue(hosts), parse.GetValue(vms), parse.GetValue(days), parse.GetValue(queries), path).RunAsync();
    return 0;
});

var runs = new Option<int>("--runs") { Description = "Runs of each command", DefaultValueFactory = _ => 50 };
var existingDb = new Option<string>("--db") { Description = "Database from the history scenario", Required = true };
var cli = new Command("cli", "Time whole daemonnet processes against a collector on an existing database") { existingDb, runs };
cli.SetAction(async parse =>
{
    var root = AppContext.BaseDirectory;
    while (!File.Exists(Path.Combine(root, "DaemonNet.sln")))
    {
        root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new DirectoryNotFoundException("no DaemonNet.sln above the benchmark");
    }
    await new CliLatency(parse.GetValue(existingDb)!, parse.GetValue(runs), root).RunAsync();
    return 0;
});

var root = new RootCommand("DaemonNet benchmarks; see docs/BENCHMARKS.md") { history, cli };
return await root.Parse(args).InvokeAsync();
