using DaemonNet.Collector.Facts;
using System.Diagnostics;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Validation;
using DaemonNet.Tests.Support;
using Google.Protobuf;

namespace DaemonNet.Bench;

/// <summary>
/// How long the largest snapshot the limits allow holds the store's single writer: the first
/// write of a host, then writes that change every fact. This is what one hostile agent
/// certificate can make every other host wait for.
/// </summary>
public sealed class LargestWrite(int writes)
{
    public async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("daemonnet-bench-");
        try
        {
            using var store = new Store(Path.Combine(folder.FullName, "collector.db"), IntervalRules.Default);
            var now = DateTimeOffset.UtcNow;
            var first = LargestSnapshot.Build("daemon1", 0, now);
            var validate = Stopwatch.StartNew();
            var problem = MessageValidator.Problem(first);
            validate.Stop();
            Console.WriteLine($"largest snapshot: {first.CalculateSize() / 1024.0 / 1024.0:0.00} MiB of {WireLimits.MaxMessageBytes / 1024 / 1024} MiB allowed; " +
                $"validated in {validate.Elapsed.TotalMilliseconds:0} ms ({problem ?? "no problem"})");
            var times = new List<double>();
            for (var generation = 0; generation < writes; generation++)
            {
                var snapshot = generation == 0 ? first : LargestSnapshot.Build("daemon1", generation, now);
                now = now.AddSeconds(10);
                var clock = Stopwatch.StartNew();
                await store.Ingest.ApplyAsync(FactCatalogue.Report(snapshot, now.ToUnixTimeMilliseconds()), now, CancellationToken.None);
                times.Add(clock.Elapsed.TotalMilliseconds);
                Console.WriteLine($"write {generation + 1} ({(generation == 0 ? "new host" : "every fact changed")}): {times[^1]:0} ms");
            }
            Console.WriteLine($"writer held: max {times.Max():0} ms, median {times.Order().ElementAt(times.Count / 2):0} ms over {writes} writes");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
