using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Integrations;

/// <summary><c>daemonnet … --csv</c> as a process against a collector over mutual TLS: the same table the HTTP routes answer to Accept: text/csv.</summary>
public sealed class CliCsvTests
{
    private const string Mac = "52:54:00:aa:00:01";

    [Theory]
    [InlineData("vms", "vm,uuid,host,state,owner,tags,mac,network,ip,evidence,first_seen,last_confirmed", "web1,")]
    [InlineData("hosts", "host,last_report,stale,vms,agent_version,kernel,machine_id,first_report,rejected_messages,errors", "daemon1,")]
    [InlineData("history web1", "kind,from,to,host,vm,uuid,state,mac,network,ip,evidence", "address,")]
    [InlineData("audit --min-severity info", "severity,rule,summary,objects,action", "")]
    [InlineData("alerts", "id,at,severity,rule,host,summary,objects,repeats,deliveries", "")]
    public async Task Csv_PrintsTheTableWithItsHeader(string command, string header, string row)
    {
        await using var cluster = await TlsCollector.StartAsync();
        await cluster.ReportAsync(Host("daemon1", Vm("web1", 1, nics: NatNic(Mac))).WithClubNetworks().WithLease("192.168.122.45", Mac, TimeSpan.FromHours(1)));

        var (exitCode, output, error) = CliRun.Daemonnet([.. command.Split(' '), "--csv", "--collector", cluster.Server.Url,
            "--ca-file", Path.Combine(cluster.Dir, "ca.pem"), "--cert-file", Path.Combine(cluster.Dir, "alice.pem"), "--key-file", Path.Combine(cluster.Dir, "alice-key.pem")]);

        Assert.True(exitCode is 0 or 1, error);
        var lines = output.Split("\r\n");
        Assert.Equal(header, lines[0]);
        Assert.Contains(lines.Skip(1), l => l.StartsWith(row, StringComparison.Ordinal));
    }

    [Fact]
    public void Csv_WithJson_IsRefusedAsTwoFormats()
    {
        var (exitCode, _, error) = CliRun.Daemonnet("vms", "--csv", "--json");

        Assert.Equal((2, true), (exitCode, error.Contains("--csv and --json are two formats for the same answer: choose one.", StringComparison.Ordinal)));
    }
}
