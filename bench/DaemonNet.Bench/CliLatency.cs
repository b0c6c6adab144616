using System.Diagnostics;
using Dapper;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Bench;

/// <summary>
/// Whole-process wall time of the CLI, as an admin experiences it: a collector process on an
/// existing database (from the history scenario) and `daemonnet where/history` run as processes.
/// </summary>
internal sealed class CliLatency(string databasePath, int runs, string repositoryRoot)
{
    public async Task RunAsync()
    {
        var port = LoopbackPort.Free();
        var collector = Path.Combine(repositoryRoot, "src/Collector/bin/Release/net10.0/daemonnet-collector.dll");
        var cli = Path.Combine(repositoryRoot, "src/Cli/bin/Release/net10.0/daemonnet");
        using var server = Process.Start(new ProcessStartInfo("dotnet", [collector, "--listen", $"127.0.0.1:{port}", "--db", databasePath, "--stale-after", "1000d", "--insecure"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            while (await server.StandardOutput.ReadLineAsync() is { } line && !line.Contains("Listening on", StringComparison.Ordinal))
            {
            }
            string name, at;
            using (var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly"))
            {
                name = connection.ExecuteScalar<string>("SELECT name FROM domains ORDER BY random() LIMIT 1")!;
                var span = connection.QuerySingle<(long From, long To)>("SELECT min(valid_from), max(valid_from) FROM domains");
                at = DateTimeOffset.FromUnixTimeMilliseconds((span.From + span.To) / 2).ToString("yyyy-MM-ddTHH:mm:ssZ");
            }
            Console.WriteLine($"CLI whole process, collector on {databasePath}, {runs} runs each (apphost {cli})");
            foreach (var arguments in new[] { new[] { "where", name }, ["where", name, "--at", at], ["history", name] })
            {
                var timings = new Latencies();
                for (var i = 0; i < runs; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var process = Process.Start(new ProcessStartInfo(cli, [.. arguments, "--insecure", "--collector", $"http://127.0.0.1:{port}"])
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    })!;
                    await process.StandardOutput.ReadToEndAsync();
                    await process.WaitForExitAsync();
                    timings.Add(watch.Elapsed);
                    if (process.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"daemonnet {string.Join(' ', arguments)} exited with {process.ExitCode}");
                    }
                }
                Console.WriteLine($"  daemonnet {string.Join(' ', arguments),-40} {timings.Summary}");
            }
        }
        finally
        {
            server.Kill();
        }
    }
}
