using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The retention pass in the real collector, on its fake clock: what ended before the horizon goes, what holds stays.</summary>
public class RetentionServiceTests
{
    private static long Count(CollectorServer server, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={server.DatabasePath}");
        return connection.ExecuteScalar<long>(sql);
    }

    [Fact]
    public async Task Pass_AfterTheHorizon_DeletesEndedIntervalsAndKeepsOpenOnes()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:Retention"] = "1h" });
        await server.ReportAsync(Host("daemon1", Vm("web1", 1), Vm("db1", 2)));
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        await server.ReportAsync(Host("daemon1", Vm("db1", 2)));
        Assert.Equal(1, Count(server, "SELECT count(*) FROM domains WHERE valid_to IS NOT NULL"));

        server.Clock.Advance(TimeSpan.FromHours(2));

        await Eventually.HoldsAsync(() => Count(server, "SELECT count(*) FROM domains WHERE valid_to IS NOT NULL"), n => n == 0, "web1's ended interval pruned");
        Assert.Equal(1, Count(server, "SELECT count(*) FROM domains WHERE valid_to IS NULL"));
    }
}
