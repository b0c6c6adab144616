using System.Diagnostics;
using Dapper;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Bench;

/// <summary>
/// Whole-process wall time of the CLI, as an admin experiences it: a collector process on an
/// existing database (from the history scenario) and `daemonnet where/history` run as processes.
/// In the same run, the club's manual method on one host: the VM's MACs from `virsh dumpxml`,
/// grepped out of `ip neighbour` on a host with 1,000 neighbour entries.
/// </summary>
internal sealed class CliLatency(string databasePath, int runs, string repositoryRoot, string? cliPath)
{
    public async Task RunAsync()
    {
        var port = LoopbackPort.Free();
        var collector = Path.Combine(repositoryRoot, "src/Collector/bin/Release/net10.0/daemonnet-collector.dll");
        var cli = cliPath ?? Path.Combine(repositoryRoot, "src/Cli/bin/Release/net10.0/daemonnet");
        // Mutual TLS, as admins run it: the cluster's CA, a collector certificate and a reader's.
        using var certificates = new TempDirectory();
        Shell.Run("dotnet", collector, "certs", "init", "--dir", certificates.Path, "--san", "127.0.0.1");
        Shell.Run("dotnet", collector, "certs", "issue", "--dir", certificates.Path, "--name", "admin", "--role", "reader");
        string[] Tls(string name) =>
            ["--ca-file", certificates.File("ca.pem"), "--cert-file", certificates.File($"{name}.pem"), "--key-file", certificates.File($"{name}-key.pem")];
        using var server = Process.Start(new ProcessStartInfo("dotnet", [collector, "--listen", $"127.0.0.1:{port}", "--db", databasePath, "--stale-after", "1000d", .. Tls("collector")])
        {
            UseShellExecute = false,
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
                var span = await connection.QuerySingleAsync<(long From, long To)>("SELECT min(valid_from), max(valid_from) FROM domains");
                var middle = (span.From + span.To) / 2;
                at = DateTimeOffset.FromUnixTimeMilliseconds(middle).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                // A VM there now and at that instant: where exits 1 for one that is not.
                name = (await connection.ExecuteScalarAsync<string>(
                    "SELECT name FROM domains WHERE valid_to IS NULL AND valid_from <= @Middle ORDER BY random() LIMIT 1", new { Middle = middle }))!;
            }
            Console.WriteLine($"CLI whole process over mutual TLS, collector on {databasePath}, {runs} runs each (apphost {cli})");
            foreach (var arguments in new[] { new[] { "where", name }, ["where", name, "--at", at], ["history", name] })
            {
                var timings = new Latencies();
                // One untimed call first: the collector's first answer compiles its statements.
                for (var i = -1; i < runs; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var process = Process.Start(new ProcessStartInfo(cli, [.. arguments, .. Tls("admin"), "--collector", $"https://127.0.0.1:{port}"])
                    {
                        UseShellExecute = false,
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    })!;
                    await process.StandardOutput.ReadToEndAsync();
                    await process.WaitForExitAsync();
                    if (i >= 0)
                    {
                        timings.Add(watch.Elapsed);
                    }
                    if (process.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"daemonnet {string.Join(' ', arguments)} exited with {process.ExitCode}");
                    }
                }
                Console.WriteLine($"  daemonnet {string.Join(' ', arguments),-40} {timings.Summary}");
            }
            await TimeManualMethodAsync();
        }
        finally
        {
            server.Kill();
        }
    }

    private async Task TimeManualMethodAsync()
    {
        using var folder = new TempDirectory();
        using var host = NetworkNamespace.Create("manual");
        host.AddBridge("virbr0", "192.168.122.1/24");
        var batch = folder.File("neighbours.batch");
        await File.WriteAllTextAsync(batch, string.Concat(Enumerable.Range(0, 1000).Select(n =>
            $"neigh replace 192.168.{122 + n / 250}.{2 + n % 250} lladdr 52:54:00:cd:{n / 256:x2}:{n % 256:x2} dev virbr0 nud permanent\n")));
        host.Ip("-batch", batch);
        var node = new LibvirtTestNode(folder.File("node.xml"), 1);
        node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:cd:00:07", "nat-bridge"), ("network", "52:54:00:cd:01:07", "forward-bridge")).Write();
        var command = $"ip neighbour | grep -Ff <(virsh -c {node.Uri} dumpxml web1 | grep -o \"<mac address='[^']*'\" | cut -d\"'\" -f2)";
        var timings = new Latencies();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var output = host.Exec("bash", "-c", command);
            timings.Add(watch.Elapsed);
            if (!output.Contains("52:54:00:cd:00:07", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the manual method found nothing: {output}");
            }
        }
        Console.WriteLine($"  manual, one host: {command}");
        Console.WriteLine($"  {"",50} {timings.Summary}");
    }
}
