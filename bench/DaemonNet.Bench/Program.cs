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

var stores = new Command("stores", "The history scenario in SQLite, then in PostgreSQL (a durable server of its own), in one run") { hosts, vms, days, queries };
stores.SetAction(async parse =>
{
    var sqlite = Path.Combine(Directory.CreateTempSubdirectory("daemonnet-bench-").FullName, "collector.db");
    await new HistoryGrowth(parse.GetValue(hosts), parse.GetValue(vms), parse.GetValue(days), parse.GetValue(queries), sqlite).RunAsync();
    Console.WriteLine();
    using var postgres = DaemonNet.Tests.Support.PostgresServer.StartPrivate(durable: true);
    await new HistoryGrowth(parse.GetValue(hosts), parse.GetValue(vms), parse.GetValue(days), parse.GetValue(queries), postgres.CreateDatabase()).RunAsync();
    return 0;
});

var runs = new Option<int>("--runs") { Description = "Runs of each command", DefaultValueFactory = _ => 50 };
var existingDb = new Option<string>("--db") { Description = "Database from the history scenario", Required = true };
var cliBinary = new Option<string>("--cli") { Description = "The daemonnet executable to time (default: the Release build's apphost)" };
var cli = new Command("cli", "Time whole daemonnet processes against a collector on an existing database, and the manual method on one host") { existingDb, runs, cliBinary };
cli.SetAction(async parse =>
{
    await new CliLatency(parse.GetValue(existingDb)!, parse.GetValue(runs), RepositoryRoot(), parse.GetValue(cliBinary)).RunAsync();
    return 0;
});

var agents = new Option<int>("--agents") { Description = "Concurrent agent streams", DefaultValueFactory = _ => 1000 };
var interval = new Option<double>("--interval") { Description = "Seconds between one agent's messages", DefaultValueFactory = _ => 10 };
var seconds = new Option<int>("--seconds") { Description = "How long the load runs", DefaultValueFactory = _ => 120 };
var burst = new Option<bool>("--burst") { Description = "All agents connect and send their full snapshots at the same instant" };
var collectorBuild = new Option<string?>("--collector")
{
    Description = "The collector to load (its daemonnet-collector.dll), to measure another build beside this one; by default this checkout's Release build",
};
var load = new Command("load", "Many concurrent agent streams against one collector process") { agents, vms, interval, seconds, burst, collectorBuild };
load.SetAction(async parse =>
{
    var collector = parse.GetValue(collectorBuild) ?? Path.Combine(RepositoryRoot(), "src/Collector/bin/Release/net10.0/daemonnet-collector.dll");
    if (!File.Exists(collector))
    {
        Console.Error.WriteLine($"no collector at {collector}: build it (dotnet build -c Release) or name another with --collector");
        return 2;
    }
    await new CollectorLoad(parse.GetValue(agents), parse.GetValue(vms), TimeSpan.FromSeconds(parse.GetValue(interval)),
        TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(burst), collector).RunAsync();
    return 0;
});

var queryDb = new Option<string>("--db") { Description = "Database from the history scenario", Required = true };
var query = new Command("query", "Time where and history on an existing database, server side") { queryDb, queries };
query.SetAction(async parse =>
{
    using var store = new DaemonNet.Collector.Storage.Store(parse.GetValue(queryDb)!,
        new DaemonNet.Collector.Facts.IntervalRules(TimeSpan.FromDays(10_000), TimeSpan.FromMinutes(15)));
    await new QueryLatency(store, parse.GetValue(queryDb)!, parse.GetValue(queries)).RunAsync();
    return 0;
});

var auditDb = new Option<string>("--db") { Description = "Database from the history scenario", Required = true };
var auditRuns = new Option<int>("--runs") { Description = "Audits to run", DefaultValueFactory = _ => 10 };
var audit = new Command("audit", "Time and memory of one whole-cluster audit on an existing database") { auditDb, auditRuns };
audit.SetAction(async parse =>
{
    using var store = new DaemonNet.Collector.Storage.Store(parse.GetValue(auditDb)!,
        new DaemonNet.Collector.Facts.IntervalRules(TimeSpan.FromDays(10_000), TimeSpan.FromMinutes(15)));
    await new AuditCost(store, parse.GetValue(auditRuns)).RunAsync();
    return 0;
});

var neighbours = new Option<int>("--neighbours") { Description = "Neighbour entries on the host", DefaultValueFactory = _ => 1000 };
var footprintVms = new Option<int>("--vms") { Description = "VMs on the host", DefaultValueFactory = _ => 100 };
var agentBinary = new Option<string>("--agent") { Description = "The daemonnet-agent executable to measure (default: the Release build, run by dotnet)" };
var footprint = new Command("footprint", "The agent's steady-state CPU and memory on a busy host (network namespaces, root)") { footprintVms, neighbours, seconds, agentBinary };
footprint.SetAction(async parse =>
{
    await new AgentFootprint(parse.GetValue(footprintVms), parse.GetValue(neighbours), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(parse.GetValue(seconds)),
        parse.GetValue(agentBinary)).RunAsync();
    return 0;
});

var trials = new Option<int>("--trials") { Description = "Changes to time", DefaultValueFactory = _ => 200 };
var change = new Command("change", "Time from a neighbour entry added on a host to the collector having it (network namespaces, root)") { trials };
change.SetAction(async parse =>
{
    await new ChangeLatency(parse.GetValue(trials)).RunAsync();
    return 0;
});

var micro = new Command("micro", "BenchmarkDotNet: the collector's CPU work per snapshot outside SQLite");
micro.SetAction(_ =>
{
    BenchmarkDotNet.Running.BenchmarkRunner.Run<IngestWork>();
    return 0;
});

var scaleSource = new Option<string>("--db") { Description = "Database from the history scenario", Required = true };
var scaleTarget = new Option<string>("--out") { Description = "The grown database to write", Required = true };
var copies = new Option<int>("--copies") { Description = "How many times the source's hosts end up in the output", DefaultValueFactory = _ => 7 };
var scale = new Command("scale", "Grow a history database by copies of its hosts, for queries at 10M rows") { scaleSource, scaleTarget, copies };
scale.SetAction(async parse =>
{
    await new ScaleUp(parse.GetValue(scaleSource)!, parse.GetValue(scaleTarget)!, parse.GetValue(copies)).RunAsync();
    return 0;
});

var writes = new Option<int>("--writes") { Description = "Writes of the largest snapshot to time", DefaultValueFactory = _ => 5 };
var largest = new Command("largest", "How long the largest snapshot the limits allow holds the store's writer") { writes };
largest.SetAction(async parse =>
{
    await new LargestWrite(parse.GetValue(writes)).RunAsync();
    return 0;
});

var starts = new Option<int>("--trials") { Description = "Starts to time", DefaultValueFactory = _ => 30 };
var libvirtStart = new Command("libvirt-start", "Time from virsh start to where saying running, on a real libvirtd (root; installs nothing: run scripts/test.sh once first)") { starts };
libvirtStart.SetAction(async parse =>
{
    await new LibvirtStartLatency(parse.GetValue(starts)).RunAsync();
    return 0;
});

var watchTrials = new Option<int>("--trials") { Description = "Changes to time", DefaultValueFactory = _ => 200 };
var watchLatency = new Command("watch", "Time from a neighbour entry added on a host to daemonnet watch printing it (network namespaces, root)") { watchTrials };
watchLatency.SetAction(async parse =>
{
    await new WatchLatency(parse.GetValue(watchTrials)).RunAsync();
    return 0;
});

var floodRate = new Option<int>("--rate") { Description = "ARP frames per second to send", DefaultValueFactory = _ => 50_000 };
var floodSeconds = new Option<int>("--seconds") { Description = "How long to flood", DefaultValueFactory = _ => 10 };
var floodAgent = new Option<string?>("--agent") { Description = "The agent to run: a native publish (artifacts/publish/agent/daemonnet-agent) instead of the Release build" };
var captureFlood = new Command("capture", "The agent's CPU and memory under an ARP flood on its bridge (network namespaces, root)") { floodRate, floodSeconds, floodAgent };
captureFlood.SetAction(async parse =>
{
    await new CaptureFlood(parse.GetValue(floodRate), TimeSpan.FromSeconds(parse.GetValue(floodSeconds)), parse.GetValue(floodAgent)).RunAsync();
    return 0;
});

var soakSeed = new Option<int>("--seed") { Description = "The seed every change and fault is drawn from", DefaultValueFactory = _ => 1 };
var soakHosts = new Option<int>("--hosts") { Description = "Daemon hosts", DefaultValueFactory = _ => 10 };
var soakMinutes = new Option<double>("--minutes") { Description = "Minutes of changes and faults", DefaultValueFactory = _ => 30 };
var soakStore = new Option<string>("--store") { Description = "sqlite (one collector) or postgresql (two collectors on one database)", DefaultValueFactory = _ => "sqlite" };
soakStore.AcceptOnlyFromAmong("sqlite", "postgresql");
var soakFolder = new Option<string>("--folder") { Description = "Where to keep the run's log, agents' and collectors' output (default: a new temporary folder)" };
var soak = new Command("soak", "Seeded churn and overlapping faults on a cluster in network namespaces, checked against the ground truth (root; see docs/RELIABILITY.md)")
{
    soakSeed, soakHosts, soakMinutes, soakStore, soakFolder,
};
soak.SetAction(async parse =>
{
    var report = await DaemonNet.Tests.Support.Soak.SoakRun.RunAsync(new DaemonNet.Tests.Support.Soak.SoakSettings
    {
        Seed = parse.GetValue(soakSeed),
        Hosts = parse.GetValue(soakHosts),
        Duration = TimeSpan.FromMinutes(parse.GetValue(soakMinutes)),
        Store = parse.GetValue(soakStore) == "postgresql" ? DaemonNet.Tests.Support.Soak.SoakStore.Postgres : DaemonNet.Tests.Support.Soak.SoakStore.Sqlite,
        Folder = parse.GetValue(soakFolder),
        Log = Console.WriteLine,
    });
    Console.WriteLine(report.Summary());
    return report.Passed ? 0 : 1;
});

var root = new RootCommand("DaemonNet benchmarks; see docs/BENCHMARKS.md") { history, stores, cli, load, query, audit, footprint, change, micro, scale, largest, libvirtStart, watchLatency, captureFlood, soak };
return await root.Parse(args).InvokeAsync();

// The built programs the scenarios start live in the checkout, beside the benchmark.
static string RepositoryRoot()
{
    var directory = AppContext.BaseDirectory;
    while (!File.Exists(Path.Combine(directory, "DaemonNet.sln")))
    {
        directory = Path.GetDirectoryName(directory.TrimEnd('/')) ?? throw new DirectoryNotFoundException("no DaemonNet.sln above the benchmark");
    }
    return directory;
}
