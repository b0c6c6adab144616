using System.Collections.Concurrent;
using System.Diagnostics;
using DaemonNet.Tests.Support;

namespace DaemonNet.Bench;

/// <summary>
/// How long a change on a host takes to reach a watcher: a neighbour entry is added in the host's
/// network namespace, and the clock stops when the native <c>daemonnet watch --json</c>, running
/// in the collector's namespace over mutual TLS, prints the ADDRESS_BOUND line for it. The agent's
/// interval is 10 s, so only its event path can be that fast.
/// </summary>
internal sealed class WatchLatency(int trials)
{
    public async Task RunAsync()
    {
        using var cluster = new SimulatedCluster();
        await cluster.StartCollectorAsync("--stale-after", "1h");
        var host = cluster.AddHost(1);
        host.StartAgent(interval: "10s");
        await host.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(60));

        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", cluster.Central.Name, Programs.Published("cli/daemonnet"), "--collector", cluster.CollectorUrl,
            .. cluster.TlsArguments("admin"), "watch", "--json"])
        {
            start.ArgumentList.Add(argument);
        }
        using var watch = Process.Start(start)!;
        var arrivals = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.Contains("WATCH_EVENT_KIND_ADDRESS_BOUND", StringComparison.Ordinal))
            {
                var at = Stopwatch.GetTimestamp();
                var ip = line[(line.IndexOf("\"ip\": \"", StringComparison.Ordinal) + 7)..];
                arrivals.TryAdd(ip[..ip.IndexOf('"')], at);
            }
        };
        watch.BeginOutputReadLine();
        // The whole-cluster watch prints nothing until a change: let it subscribe first.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var latencies = new Latencies();
        try
        {
            for (var trial = 0; trial < trials; trial++)
            {
                var ip = $"192.168.{123 + trial / 250}.{2 + trial % 250}";
                var started = Stopwatch.GetTimestamp();
                host.Namespace.SetNeighbour(ip, $"52:54:00:ee:{trial / 256:x2}:{trial % 256:x2}", "virbr0", "permanent");
                long arrived;
                while (!arrivals.TryGetValue(ip, out arrived))
                {
                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
                    {
                        throw new TimeoutException($"trial {trial}: no watch event for {ip} within 30 s");
                    }
                    await Task.Delay(2);
                }
                latencies.Add(Stopwatch.GetElapsedTime(started, arrived));
                // Let the agent's settling window close, so that each trial starts from quiet.
                await Task.Delay(300);
            }
        }
        finally
        {
            watch.Kill();
        }
        Console.WriteLine($"change to watch event: a neighbour entry added on the host until daemonnet watch --json printed it, {trials} trials, agent interval 10 s");
        Console.WriteLine($"  {latencies.Summary}, max {latencies.Percentile(100):0.0} ms");
    }
}
