using DaemonNet.Protos.V1;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// One soak: starts the cluster, waits for every host to report, then for the settings' duration
/// makes seeded changes and starts seeded faults that overlap, ends the faults, lets the cluster
/// settle, checks everything the collector says against the ground truth, stops the collectors
/// and checks the database's integrity. Network namespaces, root. The log of what it did, with
/// times, is the record of the truth (soak.log in the run's folder, which is kept).
/// </summary>
public static class SoakRun
{
    /// <summary>How long the cluster may take to settle once the faults ended: receivers up, outbox drained, every host reporting.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(90);

    public static async Task<SoakReport> RunAsync(SoakSettings given)
    {
        var folder = given.Folder ?? Directory.CreateTempSubdirectory("daemonnet-soak-").FullName;
        Directory.CreateDirectory(folder);
        var logPath = Path.Combine(folder, "soak.log");
        await using var logFile = new StreamWriter(logPath) { AutoFlush = true };
        var gate = new Lock();
        var started = DateTimeOffset.UtcNow;
        var settings = given with
        {
            Log = line =>
            {
                var stamped = $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}";
                lock (gate)
                {
                    logFile.WriteLine(stamped);
                }
                given.Log(stamped);
            },
        };
        var truth = new GroundTruth(settings);
        var report = new SoakReport(settings);
        settings.Log($"soak seed {settings.Seed}, {settings.Hosts} hosts, {settings.Store}, {settings.Duration.TotalMinutes:0.#} min; log in {logPath}");
        var cluster = await SoakCluster.StartAsync(settings, truth);
        try
        {
            await WaitForAsync(async () => await HostsReportingAsync(cluster, settings.Hosts) ? null : "not every host reports", "every host reporting", TimeSpan.FromSeconds(60));
            var checkFrom = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)settings.Propagation.TotalMilliseconds;
            var churn = new Churn(cluster, new Random(settings.Seed));
            var faults = new Faults(cluster, truth, settings, new Random(settings.Seed + 1));
            var clock = new Random(settings.Seed + 2);
            var end = DateTimeOffset.UtcNow + settings.Duration;
            var nextFault = DateTimeOffset.UtcNow + Exponential(clock, settings.FaultsPerMinute / 60);
            while (DateTimeOffset.UtcNow < end)
            {
                await churn.StepAsync();
                if (DateTimeOffset.UtcNow >= nextFault)
                {
                    faults.StartOne();
                    nextFault = DateTimeOffset.UtcNow + Exponential(clock, settings.FaultsPerMinute / 60);
                }
                await Task.Delay(Exponential(clock, settings.ActionsPerSecond));
            }
            settings.Log("churn over; ending the faults");
            await faults.EndAllAsync();
            await Task.Delay(settings.Recovery + 2 * settings.Propagation);
            await WaitForAsync(() => SettledAsync(cluster, settings.Hosts), "the cluster settling", SettleLimit);
            var checkTo = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)settings.Propagation.TotalMilliseconds;
            report.Simulated = DateTimeOffset.UtcNow - started;
            report.Actions = new Dictionary<string, int>(churn.Counts, StringComparer.Ordinal);
            report.Faults = new Dictionary<string, int>(faults.Counts, StringComparer.Ordinal);
            settings.Log($"checking [{DateTimeOffset.FromUnixTimeMilliseconds(checkFrom):HH:mm:ss} .. {DateTimeOffset.FromUnixTimeMilliseconds(checkTo):HH:mm:ss}]");
            await new SoakChecker(cluster, truth, settings, checkFrom, checkTo, report).CheckAsync();
        }
        catch (Exception e)
        {
            report.Fail("run", e.ToString());
        }
        finally
        {
            foreach (var slot in cluster.Collectors)
            {
                slot.Retire();
                await File.WriteAllTextAsync(Path.Combine(folder, $"collector-{slot.Port}.log"), slot.Output);
            }
            foreach (var host in cluster.Hosts)
            {
                host.KillAgent();
                await File.WriteAllTextAsync(Path.Combine(folder, $"agent-{host.Name}.log"), host.AgentOutput);
            }
            report.Integrity = Integrity(cluster);
            await cluster.DisposeAsync();
        }
        settings.Log(report.ToString());
        return report;
    }

    private static TimeSpan Exponential(Random random, double perSecond) => TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) / perSecond);

    /// <param name="unmet">Null once the condition holds, else what is still missing.</param>
    private static async Task WaitForAsync(Func<Task<string?>> unmet, string what, TimeSpan limit)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (await unmet() is { } missing)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds:0} s: {missing}");
            }
            await Task.Delay(500);
        }
    }

    private static async Task<bool> HostsReportingAsync(SoakCluster cluster, int hosts)
    {
        try
        {
            var reply = await new Inventory.InventoryClient(cluster.Channel).ListHostsAsync(new ListHostsRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            return reply.Hosts.Count(h => !h.Status.Stale) == hosts;
        }
        catch (Grpc.Core.RpcException)
        {
            return false;
        }
    }

    private static async Task<string?> SettledAsync(SoakCluster cluster, int hosts)
    {
        if (!cluster.CollectorsUp)
        {
            return "a collector is down";
        }
        if (!await HostsReportingAsync(cluster, hosts))
        {
            return "not every host reports";
        }
        var alerts = await new Alerts.AlertsClient(cluster.Channel).ListAlertsAsync(new ListAlertsRequest { Limit = 10_000 });
        var pending = alerts.Alerts.SelectMany(a => a.Deliveries.Where(d => d.State == DeliveryState.Pending).Select(d => $"{a.Id} to {d.Sink} ({d.Attempts} attempts, {d.LastError})")).ToList();
        return pending.Count == 0 ? null : $"{pending.Count} deliveries pending, e.g. {string.Join("; ", pending.Take(3))}";
    }

    /// <summary>SQLite's integrity_check once the collector stopped, or PostgreSQL's amcheck over every index of the store.</summary>
    private static string Integrity(SoakCluster cluster)
    {
        try
        {
            if (cluster.Postgres is { } postgres)
            {
                var database = cluster.DatabaseForChecks[(cluster.DatabaseForChecks.LastIndexOf('/') + 1)..];
                postgres.Psql("CREATE EXTENSION IF NOT EXISTS amcheck", database);
                postgres.Psql("""
                    SELECT bt_index_check(index => c.oid, heapallindexed => true)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public'
                    """, database);
                return "ok";
            }
            using var connection = new SqliteConnection($"Data Source={cluster.DatabaseForChecks};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            return command.ExecuteScalar() as string ?? "no answer";
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            return $"failed: {e.Message}";
        }
    }
}
