using System.Net;
using Grpc.Net.Client;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>One daemon host of the soak: its namespace and files, what the soak set on it, and every agent run's output.</summary>
public sealed class SoakHost(SimulatedHost simulated, IReadOnlyList<string> agentArguments, IReadOnlyDictionary<string, string> agentEnvironment)
{
    private readonly List<string> pastOutput = [];

    public SimulatedHost Simulated { get; } = simulated;

    public HostModel Model { get; } = new(simulated.Name);

    public string Name => Simulated.Name;

    /// <summary>Held while the host's files and tables change: churn and faults take turns.</summary>
    public SemaphoreSlim Turn { get; } = new(1, 1);

    /// <summary>While set, libvirt's node file is broken on purpose and changes to the VMs wait in the model.</summary>
    public bool LibvirtBroken { get; set; }

    public bool AgentRunning => Simulated.Agent is { HasExited: false };

    public void StartAgent(TimeSpan interval) =>
        Simulated.StartAgent(DaemonNet.Protos.Formats.DurationText.Format(interval), extraArguments: [.. agentArguments], environment: agentEnvironment);

    public void KillAgent()
    {
        if (Simulated.Agent is { } agent)
        {
            agent.Kill();
            pastOutput.Add(agent.Output);
            Simulated.StopAgent();
        }
    }

    /// <summary>What every run of this host's agent printed, the current one last.</summary>
    public string AgentOutput => string.Join('\n', pastOutput.Append(Simulated.Agent?.Output ?? ""));

    /// <summary>The path of the libvirt test driver's node file.</summary>
    public string NodeFile => Simulated.Node.Uri["test://".Length..];

    /// <summary>What was last written to each of the host's files, so that a file is written only when it changes.</summary>
    public Dictionary<string, string> Written { get; } = new(StringComparer.Ordinal);
}

/// <summary>One collector process of the soak, restarted by <see cref="SoakCluster"/> when it exits unbidden, as systemd would.</summary>
public sealed class CollectorSlot(int port)
{
    private readonly List<string> pastOutput = [];

    public int Port { get; } = port;

    public string Url => SimulatedCluster.CollectorUrlAt(Port);

    public RunningProgram? Process { get; set; }

    /// <summary>Set while a fault keeps this collector down on purpose: the supervisor leaves it alone.</summary>
    public bool Held { get; set; }

    public int Restarts { get; set; }

    public void Retire()
    {
        if (Process is { } process)
        {
            process.Kill();
            pastOutput.Add(process.Output);
            process.Dispose();
            Process = null;
        }
    }

    public string Output => string.Join('\n', pastOutput.Append(Process?.Output ?? ""));
}

/// <summary>
/// The soak's cluster: the simulated club (<see cref="SimulatedCluster"/>: namespaces, bridges,
/// libvirt node files, lease folders, mutual TLS), one collector on SQLite (on a small file
/// system of its own) or two on one PostgreSQL, the agents, the alert receivers, and a
/// supervisor that restarts a collector that exits, as systemd's Restart=on-failure would.
/// Changes to a host go through <see cref="Apply"/>, which records them in the ground truth.
/// </summary>
public sealed class SoakCluster : IAsyncDisposable
{
    private readonly SoakSettings settings;
    private readonly GroundTruth truth;
    private readonly CancellationTokenSource stop = new();
    private Task supervisor = Task.CompletedTask;

    private SoakCluster(SoakSettings settings, GroundTruth truth)
    {
        this.settings = settings;
        this.truth = truth;
        Cluster = new SimulatedCluster();
    }

    public SimulatedCluster Cluster { get; }

    public List<SoakHost> Hosts { get; } = [];

    public List<CollectorSlot> Collectors { get; } = [];

    public PostgresServer? Postgres { get; private set; }

    /// <summary>The store's address as the collectors take it (a file, or a URI to the server's socket).</summary>
    public string Database { get; private set; } = "";

    /// <summary>The same database as this process reaches it, for the checker's direct reads.</summary>
    public string DatabaseForChecks { get; private set; } = "";

    /// <summary>The SQLite database's own small file system, which a fault fills up.</summary>
    public SmallDisk? Disk { get; private set; }

    public AlertReceivers Receivers { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public static async Task<SoakCluster> StartAsync(SoakSettings settings, GroundTruth truth)
    {
        var soak = new SoakCluster(settings, truth);
        try
        {
            await soak.StartAsync();
            return soak;
        }
        catch
        {
            await soak.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The kernel's neighbour tables are collected as one, across namespaces: past gc_thresh1 (128
    /// entries by default) it deletes stale entries by itself, and the truth would keep an entry
    /// the host no longer has. The soak raises the thresholds for its run and puts them back.
    /// </summary>
    private static readonly string[] NeighbourThresholds =
        [.. new[] { "ipv4", "ipv6" }.SelectMany(f => new[] { 1, 2, 3 }.Select(n => $"net.{f}.neigh.default.gc_thresh{n}"))];

    private readonly Dictionary<string, string> thresholdsBefore = new(StringComparer.Ordinal);

    private void RaiseNeighbourThresholds()
    {
        foreach (var name in NeighbourThresholds)
        {
            thresholdsBefore[name] = Shell.Run("sysctl", "-n", name).Trim();
            Shell.Run("sysctl", "-q", "-w", $"{name}={(name.EndsWith('1') ? 8192 : name.EndsWith('2') ? 16384 : 32768)}");
        }
    }

    private async Task StartAsync()
    {
        RaiseNeighbourThresholds();
        Receivers = await AlertReceivers.StartAsync(Cluster.Central, IPAddress.Parse(SimulatedCluster.CollectorAddress));
        var environment = Cluster.CollectorEnvironment;
        environment["DAEMONNET_Collector__Alerts__Sinks__hook__Type"] = "webhook";
        environment["DAEMONNET_Collector__Alerts__Sinks__hook__Url"] = Receivers.WebhookUrl;
        environment["DAEMONNET_Collector__Alerts__Sinks__hook__RetryDelay"] = "200ms";
        environment["DAEMONNET_Collector__Alerts__Sinks__log__Type"] = "syslog";
        environment["DAEMONNET_Collector__Alerts__Sinks__log__Address"] = Receivers.SyslogAddress;
        environment["DAEMONNET_Collector__Alerts__Sinks__log__RetryDelay"] = "200ms";
        environment["DAEMONNET_Collector__Alerts__EvaluateEvery"] = "1s";
        if (settings.Store == SoakStore.Postgres)
        {
            Postgres = PostgresServer.StartPrivate();
            DatabaseForChecks = Postgres.CreateDatabase();
            Database = Postgres.SocketUri(DatabaseForChecks);
            Collectors.Add(new CollectorSlot(SimulatedCluster.CollectorPort));
            Collectors.Add(new CollectorSlot(SimulatedCluster.CollectorPort + 1));
        }
        else
        {
            Disk = new SmallDisk(Cluster.Folder.Folder("disk"), "256m");
            Database = Disk.File("collector.db");
            DatabaseForChecks = Database;
            Collectors.Add(new CollectorSlot(SimulatedCluster.CollectorPort));
        }
        foreach (var slot in Collectors)
        {
            await StartCollectorAsync(slot);
        }
        var agentEnvironment = new Dictionary<string, string>(StringComparer.Ordinal) { ["DAEMONNET_Logging__LogLevel__DaemonNet.HostAgent.Sync.SyncLoop"] = "Debug" };
        string[] agentArguments = ["--capture", "none", "--guest-agent", "false", .. Collectors.Skip(1).SelectMany(c => new[] { "--collector", c.Url })];
        for (var number = 1; number <= settings.Hosts; number++)
        {
            var simulated = Cluster.AddHost(number);
            simulated.Namespace.AddVxlan(HostModel.Tunnel, 100 + number, $"10.99.0.{10 + number}", SimulatedCluster.CollectorAddress, "eth0");
            var host = new SoakHost(simulated, agentArguments, agentEnvironment);
            Hosts.Add(host);
            await ApplyAsync(host, () => { });
            host.StartAgent(settings.Interval);
        }
        Channel = NamespaceSockets.Channel(Cluster.Central, Collectors[0].Url,
            new DaemonNet.Protos.Security.TlsFiles(Path.Combine(Cluster.CertificateDir, "ca.pem"), Path.Combine(Cluster.CertificateDir, "admin.pem"),
                Path.Combine(Cluster.CertificateDir, "admin-key.pem")).ClientOptions());
        supervisor = SuperviseAsync(stop.Token);
    }

    /// <summary>Starts the slot's collector and waits until it listens; one that does not within the limit is killed, for the supervisor to try again.</summary>
    public async Task StartCollectorAsync(CollectorSlot slot)
    {
        slot.Retire();
        slot.Process = Cluster.StartCollectorProcess(slot.Port, Database,
            "--stale-after", DaemonNet.Protos.Formats.DurationText.Format(settings.StaleAfter), "--rejoin-window", "0s");
        try
        {
            await slot.Process.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            slot.Process.Kill();
            throw;
        }
    }

    /// <summary>Restarts a collector a second after it exited by itself (a lost database ends it with code 3), unless a fault holds it down.</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                foreach (var slot in Collectors.Where(s => !s.Held && s.Process is { HasExited: true }))
                {
                    settings.Log($"collector :{slot.Port} exited by itself; restarting it, as systemd would");
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    slot.Restarts++;
                    await StartCollectorAsync(slot);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (TimeoutException e)
            {
                // A collector that cannot start while the database is down: the next round tries again.
                settings.Log($"a collector did not start: {e.Message.Split('\n')[0]}");
            }
        }
    }

    /// <summary>Whether every collector is up and listening.</summary>
    public bool CollectorsUp => Collectors.All(c => c.Process is { HasExited: false });

    /// <summary>
    /// Changes what the host has: <paramref name="change"/> changes the model and the kernel's
    /// tables, the host's files are written to match, and the host's facts are recorded in the
    /// ground truth as of just before the change began: nothing can be stored earlier than that.
    /// </summary>
    public async Task ApplyAsync(SoakHost host, Action change)
    {
        await host.Turn.WaitAsync();
        try
        {
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            change();
            WriteLibvirt(host);
            WriteLeases(host);
            truth.Set(host.Name, host.Model.Facts(), at);
        }
        finally
        {
            host.Turn.Release();
        }
    }

    /// <summary>The node file as the model has it, unless a fault keeps it broken.</summary>
    public static void WriteLibvirt(SoakHost host)
    {
        if (!host.LibvirtBroken)
        {
            WriteIfChanged(host, host.NodeFile, host.Model.NodeXml(host.Simulated.Number));
        }
    }

    /// <summary>A node file libvirt's test driver cannot parse: every connection fails until it is written again.</summary>
    public static void BreakLibvirt(SoakHost host) => WriteIfChanged(host, host.NodeFile, "<node><domain type='test'>broken");

    private static void WriteLeases(SoakHost host)
    {
        var path = Path.Combine(host.Simulated.LeasesDir, HostModel.NatBridge + ".status");
        var leases = host.Model.Leases.Values.OrderBy(l => l.Ip, StringComparer.Ordinal)
            .Select(l => new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["ip-address"] = l.Ip, ["mac-address"] = l.Mac, ["hostname"] = "", ["expiry-time"] = l.Expiry?.ToUnixTimeSeconds() ?? 0,
            });
        WriteIfChanged(host, path, System.Text.Json.JsonSerializer.Serialize(leases));
    }

    private static void WriteIfChanged(SoakHost host, string path, string text)
    {
        if (host.Written.GetValueOrDefault(path) == text)
        {
            return;
        }
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
        host.Written[path] = text;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Channel?.Dispose();
        foreach (var host in Hosts)
        {
            host.KillAgent();
        }
        foreach (var slot in Collectors)
        {
            slot.Retire();
        }
        if (Receivers is not null)
        {
            await Receivers.DisposeAsync();
        }
        Disk?.Dispose();
        Postgres?.Dispose();
        Cluster.Dispose();
        foreach (var (name, value) in thresholdsBefore)
        {
            Shell.TryRun("sysctl", "-q", "-w", $"{name}={value}");
        }
        stop.Dispose();
    }
}
