using System.Diagnostics;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Net.Client;

namespace DaemonNet.Bench;

/// <summary>
/// One collector process under many concurrent agent streams from one load-generator process,
/// real gRPC over loopback, for minutes: failures, throughput, the collector's peak memory, and
/// query latency while the load runs.
/// </summary>
internal sealed class CollectorLoad(int agents, int vmsPerAgent, TimeSpan interval, TimeSpan duration, bool burst, string collectorPath)
{
    public async Task RunAsync()
    {
        var wall = Stopwatch.StartNew();
        var folder = Directory.CreateTempSubdirectory("daemonnet-load-").FullName;
        var port = LoopbackPort.Free();
        using var collector = Process.Start(new ProcessStartInfo("dotnet", [collectorPath, "--listen", $"127.0.0.1:{port}", "--db", Path.Combine(folder, "collector.db"), "--insecure"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var drained = Task.CompletedTask;
        try
        {
            while (await collector.StandardOutput.ReadLineAsync() is { } line && !line.Contains("Listening on", StringComparison.Ordinal))
            {
            }
            // Read the rest as it comes: a pipe nobody empties fills, and a collector writing its log to it waits (issue 25, fault 4).
            drained = Task.WhenAll(collector.StandardOutput.BaseStream.CopyToAsync(Stream.Null), collector.StandardError.BaseStream.CopyToAsync(Stream.Null));
            var listening = wall.Elapsed;
            var url = $"http://127.0.0.1:{port}";
            Console.WriteLine($"load: {agents} agent streams x {vmsPerAgent} VMs, a message every {interval.TotalSeconds:0.##} s each (10 % changed snapshots), for {duration.TotalSeconds:0} s, {(burst ? "all starting at once" : "starts spread over one interval")}, collector {url}");
            var load = new AgentLoad(url, agents, vmsPerAgent, interval, changeProbability: 0.1, burst);
            var watch = Stopwatch.StartNew();
            var running = load.RunAsync(duration);

            using var channel = GrpcChannel.ForAddress(url);
            var inventory = new Inventory.InventoryClient(channel);
            var queries = new Latencies();
            var peakMiB = 0.0;
            var peakAnonymousMiB = 0.0;
            var lastSample = TimeSpan.Zero;
            for (var i = 0; !running.IsCompleted; i++)
            {
                await queries.TimeAsync(() => inventory.WhereAsync(new WhereRequest { Query = $"load{i % agents:D4}-vm{i % vmsPerAgent}" }).ResponseAsync);
                if (watch.Elapsed - lastSample > TimeSpan.FromSeconds(1))
                {
                    peakMiB = Math.Max(peakMiB, AgentLoad.ResidentMiB(collector.Id));
                    peakAnonymousMiB = Math.Max(peakAnonymousMiB, AgentLoad.AnonymousMiB(collector.Id));
                    lastSample = watch.Elapsed;
                }
                await Task.Delay(20);
            }
            var queriesEnded = watch.Elapsed;
            await running;
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  messages acknowledged: {load.Acknowledged} ({load.Acknowledged / seconds:0} per second): {load.Snapshots} snapshots, {load.Heartbeats} heartbeats");
            Console.WriteLine($"  failures: {load.Failures}{(load.Failures > 0 ? $" (first: {load.FirstFailure})" : "")}; snapshot requests after stalls: {load.SnapshotRequests}");
            Console.WriteLine($"  collector peak RSS: {peakMiB:0} MiB (sampled every second), at the end {AgentLoad.ResidentMiB(collector.Id):0} MiB; " +
                $"anonymous (heap, stacks; not the mapped database or code) at its peak {peakAnonymousMiB:0} MiB, at the end {AgentLoad.AnonymousMiB(collector.Id):0} MiB");
            Console.WriteLine($"  where under load, client-side over gRPC: {queries.SummaryWithMax}");
            var firsts = load.FirstAcknowledgements.Order().ToList();
            // A run longer than asked for says where its time went.
            Console.WriteLine($"  phases: collector listening after {listening.TotalSeconds:0.0} s; load ran {load.Ended.TotalSeconds:0.0} s of {duration.TotalSeconds:0} asked; " +
                $"queries stopped at {queriesEnded.TotalSeconds:0.0} s; " +
                $"wall {wall.Elapsed.TotalSeconds:0.0} s");
            Console.WriteLine($"  first snapshots acknowledged: {firsts.Count} of {agents}; the last {(firsts.Count > 0 ? firsts[^1].TotalSeconds : double.NaN):0.0} s after the start, half of them by {(firsts.Count > 0 ? firsts[firsts.Count / 2].TotalSeconds : double.NaN):0.0} s");
        }
        finally
        {
            collector.Kill();
            await drained;
            Directory.Delete(folder, recursive: true);
        }
    }
}
