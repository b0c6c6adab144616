namespace DaemonNet.Tests.Support;

/// <summary>
/// A club in network namespaces: a "central" namespace with the LAN bridge, where the collector
/// and the CLI run, and one namespace per daemon host, joined to the LAN by a veth pair. Each host
/// has the club's bridges (br0 for forward-bridge, virbr0 for nat-bridge with its own IPv6 /64),
/// a libvirt test-driver node file and a dnsmasq lease folder, and runs the real agent.
/// Everything lives in namespaces of its own, so clusters never collide and leave nothing behind.
/// </summary>
public sealed class SimulatedCluster : IDisposable
{
    public const string CollectorAddress = "10.99.0.1";
    public const int CollectorPort = 7460;

    private readonly List<SimulatedHost> hosts = [];

    public SimulatedCluster()
    {
        Folder = new TempDirectory();
        Central = NetworkNamespace.Create("central");
        Central.AddBridge("lan", $"{CollectorAddress}/24");
        // A bridge takes the lowest MAC of its ports unless given one: as each host's port joined,
        // the collector's address changed hands, and a host that had resolved it kept sending to
        // the old MAC until its neighbour entry went stale (the soak saw an agent cut off for 40 s).
        Central.Ip("link", "set", "lan", "address", "02:00:0a:63:00:01");
        CertificateDir = Folder.Folder("tls");
        Shell.Run("dotnet", Programs.Collector, "certs", "init", "--dir", CertificateDir, "--san", CollectorAddress);
        Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", CertificateDir, "--name", "admin", "--role", "reader");
    }

    /// <summary>The cluster's CA and certificates, made by <c>daemonnet-collector certs</c>: every program speaks mutual TLS.</summary>
    public string CertificateDir { get; }

    public string[] TlsArguments(string name) =>
        ["--ca-file", Path.Combine(CertificateDir, "ca.pem"), "--cert-file", Path.Combine(CertificateDir, $"{name}.pem"), "--key-file", Path.Combine(CertificateDir, $"{name}-key.pem")];

    public TempDirectory Folder { get; }

    public NetworkNamespace Central { get; }

    public RunningProgram? Collector { get; private set; }

    public string CollectorUrl => CollectorUrlAt(CollectorPort);

    public string DatabasePath => Folder.File("collector.db");

    public IReadOnlyList<SimulatedHost> Hosts => hosts;

    /// <summary>
    /// Starts the collector. Unless a test sets its own, hosts count as stale only after 20 s: the
    /// agents report every 300 ms, and a loaded CI machine must not make them look silent.
    /// </summary>
    public async Task StartCollectorAsync(params string[] extraArguments) =>
        Collector = await StartCollectorAtAsync(CollectorPort, DatabasePath, extraArguments);

    /// <summary>Settings the collector is started with as DAEMONNET_ variables, such as alert sinks.</summary>
    public Dictionary<string, string> CollectorEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts a collector on the cluster's collector address at a port of its own, with its own
    /// database (a file or a PostgreSQL URI): one of several collectors that share a database.
    /// </summary>
    public async Task<RunningProgram> StartCollectorAtAsync(int port, string database, params string[] extraArguments)
    {
        var collector = StartCollectorProcess(port, database, extraArguments);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        return collector;
    }

    /// <summary>Starts such a collector without waiting for it to listen.</summary>
    public RunningProgram StartCollectorProcess(int port, string database, params string[] extraArguments)
    {
        string[] staleness = extraArguments.Contains("--stale-after") ? [] : ["--stale-after", "20s"];
        return RunningProgram.Start(Programs.Collector,
            ["--listen", $"{CollectorAddress}:{port}", "--db", database, .. TlsArguments("collector"), .. staleness, .. extraArguments], Central, CollectorEnvironment);
    }

    public static string CollectorUrlAt(int port) => $"https://{CollectorAddress}:{port}";

    public void StopCollector()
    {
        Collector?.Dispose();
        Collector = null;
    }

    /// <summary>Adds daemon host number N (1-based) with its namespace, bridges and files; the agent is not started yet.</summary>
    /// <param name="certificate">Issue the host's agent certificate by hand; false for a host that enrols itself.</param>
    public SimulatedHost AddHost(int number, bool certificate = true)
    {
        var host = new SimulatedHost(this, number, certificate);
        hosts.Add(host);
        return host;
    }

    /// <summary>Runs the CLI in the central namespace against this cluster's collector, with the admin's reader certificate.</summary>
    public (int ExitCode, string Output, string Error) Daemonnet(params string[] arguments) => DaemonnetAs("admin", arguments);

    /// <summary>The CLI with another certificate of the cluster than the admin's.</summary>
    public (int ExitCode, string Output, string Error) DaemonnetAs(string certificate, params string[] arguments) =>
        DaemonnetAt(CollectorUrl, certificate, arguments);

    /// <summary>The CLI against one collector of several.</summary>
    public (int ExitCode, string Output, string Error) DaemonnetAt(string collectorUrl, string certificate, params string[] arguments) =>
        Shell.TryRun("ip", ["netns", "exec", Central.Name, "dotnet", Programs.Cli, "--collector", collectorUrl, .. TlsArguments(certificate), .. arguments]);

    public void Dispose()
    {
        foreach (var host in hosts)
        {
            host.Dispose();
        }
        StopCollector();
        Central.Dispose();
        Folder.Dispose();
    }
}

/// <summary>One simulated daemon engine.</summary>
public sealed class SimulatedHost : IDisposable
{
    private readonly SimulatedCluster cluster;

    internal SimulatedHost(SimulatedCluster cluster, int number, bool certificate)
    {
        this.cluster = cluster;
        Number = number;
        Name = $"daemon{number}";
        Namespace = NetworkNamespace.Create($"h{number}");
        Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", $"h{number}", "netns", cluster.Central.Name);
        cluster.Central.Ip("link", "set", $"h{number}", "master", "lan", "up");
        Namespace.Ip("link", "set", "eth0", "up");
        Namespace.Ip("addr", "add", $"10.99.0.{10 + number}/24", "dev", "eth0");
        Namespace.AddBridge("br0", $"10.77.0.{10 + number}/24");
        Namespace.AddBridge("virbr0", "192.168.122.1/24", $"2001:db8:beef:{number}::1/64");
        LeasesDir = cluster.Folder.Folder($"{Name}-leases");
        InterfacesFile = cluster.Folder.File($"{Name}-interfaces");
        File.WriteAllText(InterfacesFile, $"auto lo\niface lo inet loopback\n\nauto br0\niface br0 inet static\n    address 10.77.0.{10 + number}/24\n    bridge_ports none\n");
        Node = new LibvirtTestNode(cluster.Folder.File($"{Name}-node.xml"), number);
        Node.Write();
        if (certificate)
        {
            Shell.Run("dotnet", Programs.Collector, "certs", "issue", "--dir", cluster.CertificateDir, "--name", Name, "--role", "agent");
        }
    }

    public int Number { get; }

    public string Name { get; }

    public NetworkNamespace Namespace { get; }

    public LibvirtTestNode Node { get; }

    public string LeasesDir { get; }

    /// <summary>The host's /etc/network/interfaces: loopback and br0 unless a test writes its own before starting the agent.</summary>
    public string InterfacesFile { get; }

    public RunningProgram? Agent { get; private set; }

    /// <param name="program">The agent to run: the solution's build unless a native publish is given.</param>
    /// <param name="extraArguments">More flags, such as --capture none.</param>
    /// <param name="environment">Variables for the agent, such as a log level.</param>
    /// <param name="stateDir">The state folder of an agent that enrolled, instead of the certificate issued by hand.</param>
    public void StartAgent(string interval = "300ms", string? program = null, string[]? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null,
        string? stateDir = null) =>
        Agent = RunningProgram.Start(program ?? Programs.Agent,
        [
            "--collector", cluster.CollectorUrl, "--host-name", Name, "--libvirt-uri", Node.Uri,
            "--interval", interval, "--leases-dir", LeasesDir, "--interfaces-file", InterfacesFile,
            .. stateDir is null ? cluster.TlsArguments(Name) : ["--state-dir", stateDir], .. extraArguments ?? [],
        ], Namespace, environment);

    public void StopAgent()
    {
        Agent?.Dispose();
        Agent = null;
    }

    public void Dispose()
    {
        StopAgent();
        Namespace.Dispose();
    }
}
