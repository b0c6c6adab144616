namespace DaemonNet.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster of Debian's postgresql package for one test process: initdb in a
/// folder under /tmp, run by the unprivileged postgres user (the server refuses root), listening on
/// a free loopback port and a socket in that folder. Started on first use, stopped and removed when
/// the process exits; scripts/test.sh removes any a killed run left behind. Each test asks for a
/// database of its own. Durability is off (fsync) unless asked for: nothing here outlives the run.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> Started = new(() =>
    {
        var server = new PostgresServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    /// <summary>The one server of this test process.</summary>
    public static PostgresServer Shared => Started.Value;

    private const string Superuser = "daemonnet";
    private readonly string folder;
    private readonly string bin;
    private readonly bool durable;
    private int databases;

    private PostgresServer(bool durable = false, bool peerOverSocket = false)
    {
        this.durable = durable;
        bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                  .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
              ?? throw new InvalidOperationException("no /usr/lib/postgresql/*/bin/initdb: install Debian's postgresql (scripts/test.sh does)");
        folder = Directory.CreateTempSubdirectory($"daemonnet-pg-{Environment.ProcessId}-").FullName;
        Shell.Run("chown", "postgres:postgres", folder);
        Port = LoopbackPort.Free();
        AsPostgres(Path.Combine(bin, "initdb"), "--pgdata", Data, "--username", Superuser, "--auth-host", "trust",
            "--auth-local", peerOverSocket ? "peer" : "trust", "--encoding", "UTF8", "--locale", "C");
        Start();
    }

    /// <summary>
    /// A server of the caller's own, for a test that stops and starts it, or a benchmark: dispose it
    /// at the end. <paramref name="durable"/> keeps PostgreSQL's own settings (every commit flushed
    /// to disk), as a club would run it.
    /// </summary>
    public static PostgresServer StartPrivate(bool durable = false) => new(durable);

    /// <summary>
    /// A server of the caller's own that authenticates its socket's clients as Debian's does,
    /// by peer: the operating system's user name is the role. Loopback TCP stays trusted.
    /// </summary>
    public static PostgresServer StartWithPeerAuthentication() => new(peerOverSocket: true);

    /// <summary>The folder of the server's Unix socket (.s.PGSQL.PORT).</summary>
    public string SocketFolder => folder;

    public int Port { get; }

    private string Data => Path.Combine(folder, "data");

    /// <summary>A new, empty database; its URI, as the collector's --db takes it.</summary>
    public string CreateDatabase()
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref databases)}";
        Psql($"CREATE DATABASE {name}");
        return Uri(name);
    }

    public string Uri(string database) => $"postgresql://{Superuser}@127.0.0.1:{Port}/{database}";

    /// <summary>The database over the server's Unix socket: reachable from any network namespace, where loopback is not.</summary>
    public string SocketUri(string uri) => $"postgresql:///{uri[(uri.LastIndexOf('/') + 1)..]}?host={folder}&port={Port}&user={Superuser}";

    /// <summary>Drops the database, closing any connection still open to it.</summary>
    public void DropDatabase(string uri) => Psql($"DROP DATABASE IF EXISTS {uri[(uri.LastIndexOf('/') + 1)..]} WITH (FORCE)");

    /// <summary>Stops the server as an administrator would for a restart (fast shutdown: sessions are ended).</summary>
    public void Stop() => AsPostgres(Path.Combine(bin, "pg_ctl"), "stop", "--pgdata", Data, "--mode", "fast", "--wait");

    /// <summary>Starts a stopped server again on the same port.</summary>
    public void Start() => AsPostgres(Path.Combine(bin, "pg_ctl"), "start", "--pgdata", Data, "--wait", "--log", Path.Combine(folder, "server.log"), "--options",
        $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c max_connections=300" +
        (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"));

    /// <summary>Runs SQL through psql and returns what it printed, unaligned and without headers.</summary>
    public string Psql(string sql, string database = "postgres") =>
        Shell.Run(Path.Combine(bin, "psql"), "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1",
            "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", Superuser,
            "--dbname", database, "--command", sql).Trim();

    /// <summary>
    /// Kills the server and removes its folder. The test host gives a process that is ending only
    /// moments, too few for pg_ctl's orderly stop; the server's children follow their parent.
    /// </summary>
    public void Dispose()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(Data, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            using (var server = System.Diagnostics.Process.GetProcessById(pid))
            {
                server.Kill();
            }
            // Removing a cluster's thousand files outlasts the process: a detached shell does it.
            using var remove = System.Diagnostics.Process.Start("/bin/sh", ["-c", "rm -rf \"$0\" &", folder]);
            remove.WaitForExit();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or a file in use: scripts/test.sh removes what is left before the next run.
        }
    }

    private static void AsPostgres(string program, params string[] arguments) =>
        Shell.Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
}
