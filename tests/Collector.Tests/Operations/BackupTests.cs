using Dapper;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Operations;

/// <summary><c>daemonnet-collector backup</c>, the real program, against a collector that keeps ingesting meanwhile.</summary>
public class BackupTests
{
    private const string Mac1 = "52:54:00:aa:00:01";

    [Fact]
    public async Task Backup_DuringHeavyIngest_IsConsistent_AndACollectorOnTheCopyAnswers()
    {
        using var folder = new TempDirectory();
        await using var server = await CollectorServer.StartAsync(realClock: true);
        await server.ReportAsync(Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic(Mac1))).WithNeighbour("192.168.122.45", Mac1, NeighbourState.Reachable));
        using var stopLoad = new CancellationTokenSource();
        var acknowledged = 0;
        var load = Task.WhenAll(Enumerable.Range(1, 4).Select(host => Task.Run(async () =>
        {
            for (var round = 0; !stopLoad.IsCancellationRequested; round++)
            {
                await server.ReportAsync(Host($"load{host}", [.. Enumerable.Range(1, 50).Select(vm =>
                    Vm($"vm{vm}", host * 100 + vm, (vm + round) % 3 == 0 ? DomainState.Paused : DomainState.Running, NatNic($"52:54:00:{host:x2}:00:{vm:x2}")))]));
                Interlocked.Increment(ref acknowledged);
            }
        })));
        await Eventually.HoldsAsync(() => Volatile.Read(ref acknowledged), n => n >= 20, "the load under way");

        var before = Volatile.Read(ref acknowledged);
        using var backup = RunningProgram.Start(Programs.Collector, ["backup", "--db", server.DatabasePath, "--to", folder.File("copy.db")]);
        var exitCode = await backup.ExitCodeAsync(TimeSpan.FromSeconds(120));
        var during = Volatile.Read(ref acknowledged) - before;
        using var again = RunningProgram.Start(Programs.Collector, ["backup", "--db", server.DatabasePath, "--to", folder.File("copy.db")]);
        var againExitCode = await again.ExitCodeAsync(TimeSpan.FromSeconds(60));
        await stopLoad.CancelAsync();
        await load;

        Assert.True(exitCode == 0, backup.Output);
        Assert.Contains("integrity ok", backup.Output);
        Assert.True(during > 0, "no snapshot was ingested while the backup ran");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.File("copy.db")));
        using (var copy = new SqliteConnection($"Data Source={folder.File("copy.db")};Mode=ReadOnly;Pooling=false"))
        {
            Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        }
        Assert.Equal(1, againExitCode);
        Assert.Contains("exists: a backup never overwrites a file", again.Output);

        await using var restored = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:Db"] = folder.File("copy.db") }, realClock: true);
        var where = await restored.Inventory.WhereAsync(new WhereRequest { Query = "web1" });
        var history = await restored.Inventory.HistoryAsync(new HistoryRequest { Query = "web1" });
        Assert.Equal("192.168.122.45", Assert.Single(Assert.Single(where.Vms).Nics).Addresses.Single().Ip);
        Assert.NotEmpty(history.Entries);
    }
}
