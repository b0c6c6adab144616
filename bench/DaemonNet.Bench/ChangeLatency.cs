using System.Diagnostics;
using Dapper;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Bench;

/// <summary>
/// How long a change on a host takes to become answerable: a neighbour entry is added in the host's
/// network namespace, and the clock stops when the collector has committed the binding (what
/// <c>where</c> reads), polled every 2 ms from the database file. The agent's interval is 10 s, so
/// only its event path (ip monitor, 100 ms coalescing) can be that fast.
/// </summary>
internal sealed class ChangeLatency(int trials)
{
    private const string Visible = "SELECT count(*) FROM bindings WHERE ip = @Ip AND mac = @Mac AND valid_to IS NULL";

    public async Task RunAsync()
    {
        using var cluster = new SimulatedCluster();
        await cluster.StartCollectorAsync("--stale-after", "1h");
        var host = cluster.AddHost(1);
        host.StartAgent(interval: "10s");
        await host.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));

        using var connection = new SqliteConnection($"Data Source={cluster.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var latencies = new Latencies();
        for (var trial = 0; trial < trials; trial++)
        {
            var ip = $"192.168.{123 + trial / 250}.{2 + trial % 250}";
            var mac = $"52:54:00:ee:{trial / 256:x2}:{trial % 256:x2}";
            var watch = Stopwatch.StartNew();
            host.Namespace.SetNeighbour(ip, mac, "virbr0", "permanent");
            while (await connection.ExecuteScalarAsync<long>(Visible, new { Ip = ip, Mac = mac }) == 0)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"trial {trial}: {ip} did not reach the collector within 30 s");
                }
                await Task.Delay(2);
            }
            latencies.Add(watch.Elapsed);
            // Let the agent's coalescing window close, so that each trial starts from quiet.
            await Task.Delay(300);
        }
        Console.WriteLine($"change to query: a neighbour entry added on the host until the collector has committed it, {trials} trials, agent interval 10 s");
        Console.WriteLine($"  {latencies.Summary}, max {latencies.Percentile(100):0.0} ms");
    }
}
