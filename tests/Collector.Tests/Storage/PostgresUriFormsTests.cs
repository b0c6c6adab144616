using System.Data.Common;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Tests.Support;
using Dapper;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// Issue 25, fault 2: every URI form libpq and psql take reaches the real server, including its
/// Unix socket with peer authentication, which is how Debian's local PostgreSQL is reached by
/// default. The server is one of this class's own that authenticates socket clients by peer, as
/// Debian's does; this test process runs as root, so a role root exists for it.
/// </summary>
public sealed class PostgresUriFormsTests : IClassFixture<PostgresUriFormsTests.PeerServer>
{
    private readonly PeerServer server;

    public PostgresUriFormsTests(PeerServer server) => this.server = server;

    public sealed class PeerServer : IDisposable
    {
        public PeerServer()
        {
            Server = PostgresServer.StartWithPeerAuthentication();
            Server.Psql($"CREATE ROLE {Environment.UserName} LOGIN SUPERUSER");
            Server.Psql("CREATE DATABASE dn");
        }

        public PostgresServer Server { get; }

        public void Dispose() => Server.Dispose();
    }

    private string Socket => server.Server.SocketFolder;

    private string Port => server.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Opens the store's writer through the address (which creates the schema) and asks the server who it is.</summary>
    private static string ConnectedAs(string address, Func<string, string?> environment)
    {
        using var database = new PostgresDatabase(PostgresAddress.Parse(address, environment));
        using DbConnection writer = database.OpenWriter();
        Assert.Equal(0, writer.ExecuteScalar<long>("SELECT count(*) FROM hosts"));
        return writer.ExecuteScalar<string>("SELECT current_user || ' ' || current_database() || ' ' || coalesce(inet_client_addr()::text, 'socket')")!;
    }

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void SocketFolderAsHostParameter_WithPeerAuthentication_Connects()
    {
        Assert.Equal($"{Environment.UserName} dn socket", ConnectedAs($"postgresql://{Environment.UserName}@/dn?host={Socket}&port={Port}", NoEnvironment));
    }

    [Fact]
    public void PercentEncodedSocketFolderAsHost_Connects()
    {
        Assert.Equal($"{Environment.UserName} dn socket", ConnectedAs($"postgresql://{Uri.EscapeDataString(Socket)}:{Port}/dn", NoEnvironment));
    }

    [Fact]
    public void NoHostAtAll_TakesTheSocketFromPgHost_AndTheUserFromTheSystem()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PGHOST"] = Socket, ["PGPORT"] = Port };

        Assert.Equal($"{Environment.UserName} dn socket", ConnectedAs("postgresql:///dn", environment.GetValueOrDefault));
    }

    [Fact]
    public void PostgresScheme_AndTcpWithAUser_Connect()
    {
        Assert.Equal($"{Environment.UserName} dn socket", ConnectedAs($"postgres:///dn?host={Socket}&port={Port}", NoEnvironment));
        Assert.Equal("daemonnet dn 127.0.0.1/32", ConnectedAs($"postgresql://daemonnet@127.0.0.1:{Port}/dn", NoEnvironment));
    }

    [Fact]
    public void SeveralHosts_TheFirstDown_ConnectsToTheNext()
    {
        var down = LoopbackPort.Free();

        Assert.Equal("daemonnet dn 127.0.0.1/32", ConnectedAs($"postgresql://daemonnet@127.0.0.1:{down},127.0.0.1:{Port}/dn", NoEnvironment));
    }

    [Fact]
    public async Task Collector_NoHostAndNoServerThere_SaysSoInASentenceWithoutAStackTrace()
    {
        using var empty = new TempDirectory();
        using var collector = RunningProgram.Start(Programs.Collector, ["--insecure", "--listen", $"127.0.0.1:{LoopbackPort.Free()}", "--db", "postgresql:///dn"],
            environment: new Dictionary<string, string>(StringComparer.Ordinal) { ["PGHOST"] = empty.Path });

        var exit = await collector.ExitCodeAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        Assert.Contains("daemonnet-collector: cannot open the database", collector.Output);
        Assert.Contains(empty.Path, collector.Output);
        Assert.DoesNotContain("   at ", collector.Output);
    }

    [Fact]
    public async Task Collector_NoHostInTheUri_ServesFromTheServerPgHostNames()
    {
        using var collector = RunningProgram.Start(Programs.Collector, ["--insecure", "--listen", $"127.0.0.1:{LoopbackPort.Free()}", "--db", "postgresql:///dn"],
            environment: new Dictionary<string, string>(StringComparer.Ordinal) { ["PGHOST"] = Socket, ["PGPORT"] = Port });

        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(60));

        Assert.Contains($"the PostgreSQL database dn on {Socket}", collector.Output);
    }
}
