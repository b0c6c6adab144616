using System.Collections.Concurrent;
using System.Globalization;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// The soak's faults, drawn from its seed and left to overlap: a collector killed (SIGKILL) or
/// frozen (SIGSTOP, then SIGCONT); on PostgreSQL one of the two collectors killed, and the server
/// itself restarted; an agent killed and started again; libvirt's connection failing (its node
/// file unreadable); a host cut off from the collectors or losing packets (iptables in its
/// namespace); the SQLite database's disk full; an alert receiver down. Each records the outage
/// it causes in the ground truth, and the log records what it did and when.
/// </summary>
public sealed class Faults(SoakCluster cluster, GroundTruth truth, SoakSettings settings, Random random)
{
    private readonly ConcurrentDictionary<string, byte> busy = new(StringComparer.Ordinal);
    private readonly List<Task> running = [];

    public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private TimeSpan Seconds(double from, double to) => TimeSpan.FromSeconds(from + random.NextDouble() * (to - from));

    /// <summary>Starts one fault in the background, unless the one drawn conflicts with a fault already running.</summary>
    public void StartOne()
    {
        var kinds = new List<string> { "collector-kill", "collector-pause", "agent-kill", "libvirt-fail", "partition", "packet-loss", "receiver-down" };
        kinds.Add(settings.Store == SoakStore.Postgres ? "postgres-restart" : "disk-full");
        var kind = kinds[random.Next(kinds.Count)];
        var host = cluster.Hosts[random.Next(cluster.Hosts.Count)];
        var slot = cluster.Collectors[random.Next(cluster.Collectors.Count)];
        var duration = Seconds(1, 6);
        // Faults on the collectors and their database exclude one another: each waits for the collectors to be back.
        var resource = kind switch
        {
            "collector-kill" or "collector-pause" or "postgres-restart" or "disk-full" => "collectors",
            "receiver-down" => "receivers",
            _ => $"{kind} {host.Name}",
        };
        if (!busy.TryAdd(resource, 0))
        {
            return;
        }
        Counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        settings.Log($"fault {kind}{(resource.Contains(' ', StringComparison.Ordinal) ? $" on {host.Name}" : "")} for {duration.TotalSeconds:0.0} s");
        var fault = kind switch
        {
            "collector-kill" => CollectorKillAsync(slot, duration),
            "collector-pause" => CollectorPauseAsync(slot, duration),
            "postgres-restart" => PostgresRestartAsync(duration),
            "disk-full" => DiskFullAsync(duration),
            "agent-kill" => AgentKillAsync(host, duration),
            "libvirt-fail" => LibvirtFailAsync(host, duration),
            "partition" => PartitionAsync(host, duration),
            "packet-loss" => PacketLossAsync(host, Seconds(3, 10)),
            _ => ReceiverDownAsync(Seconds(3, 10)),
        };
        lock (running)
        {
            running.Add(Finish(fault, resource));
        }
    }

    private async Task Finish(Task fault, string resource)
    {
        try
        {
            await fault;
        }
        finally
        {
            busy.TryRemove(resource, out _);
        }
    }

    /// <summary>Waits for every fault started to end and undo itself.</summary>
    public async Task EndAllAsync()
    {
        Task[] all;
        lock (running)
        {
            all = [.. running];
        }
        await Task.WhenAll(all);
    }

    /// <summary>Every host's facts may be held up from <paramref name="from"/> until every collector listens again.</summary>
    private async Task AllHostsUntilCollectorsUpAsync(string fault, long from)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
        while (!cluster.CollectorsUp && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        truth.Impaired(new Impairment(fault, null, ImpairmentScope.All, from, Now));
    }

    private async Task CollectorKillAsync(CollectorSlot slot, TimeSpan down)
    {
        var from = Now;
        slot.Held = true;
        slot.Process?.Kill();
        await Task.Delay(down);
        slot.Restarts++;
        await cluster.StartCollectorAsync(slot);
        slot.Held = false;
        await AllHostsUntilCollectorsUpAsync("collector-kill", from);
    }

    private async Task CollectorPauseAsync(CollectorSlot slot, TimeSpan frozen)
    {
        var from = Now;
        if (slot.Process is { HasExited: false } process)
        {
            slot.Held = true;
            process.Pause();
            await Task.Delay(frozen);
            process.Resume();
            slot.Held = false;
        }
        await AllHostsUntilCollectorsUpAsync("collector-pause", from);
    }

    /// <summary>PostgreSQL stopped (fast: sessions end) and started again; the collectors lose their writer, exit, and are restarted.</summary>
    private async Task PostgresRestartAsync(TimeSpan down)
    {
        var from = Now;
        cluster.Postgres!.Stop();
        await Task.Delay(down);
        cluster.Postgres.Start();
        // Let the supervisor see the collectors exit before waiting for them to be back.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await AllHostsUntilCollectorsUpAsync("postgres-restart", from);
    }

    /// <summary>The database's file system filled to the last block, then drained.</summary>
    private async Task DiskFullAsync(TimeSpan full)
    {
        var from = Now;
        try
        {
            cluster.Disk!.Fill();
            await Task.Delay(full);
        }
        finally
        {
            cluster.Disk!.Drain();
        }
        await AllHostsUntilCollectorsUpAsync("disk-full", from);
    }

    private async Task AgentKillAsync(SoakHost host, TimeSpan down)
    {
        var from = Now;
        host.KillAgent();
        await Task.Delay(down);
        host.StartAgent(settings.Interval);
        truth.Impaired(new Impairment("agent-kill", host.Name, ImpairmentScope.All, from, Now));
    }

    /// <summary>libvirt cannot be read: every connection to the node file fails; the VMs' facts keep changing meanwhile.</summary>
    private async Task LibvirtFailAsync(SoakHost host, TimeSpan broken)
    {
        var from = Now;
        await Turn(host, () =>
        {
            host.LibvirtBroken = true;
            SoakCluster.BreakLibvirt(host);
        });
        await Task.Delay(broken);
        await Turn(host, () =>
        {
            host.LibvirtBroken = false;
            SoakCluster.WriteLibvirt(host);
        });
        truth.Impaired(new Impairment("libvirt-fail", host.Name, ImpairmentScope.Libvirt, from, Now));
    }

    private static async Task Turn(SoakHost host, Action action)
    {
        await host.Turn.WaitAsync();
        try
        {
            action();
        }
        finally
        {
            host.Turn.Release();
        }
    }

    /// <summary>
    /// Rules in the host's namespace that drop what it exchanges with the collectors. A stream
    /// under them does not fail at once: TCP retries, and the longer the outage the longer its
    /// next retry waits, so what the host sent in the outage may arrive up to that long after it.
    /// </summary>
    private async Task DropAsync(string fault, SoakHost host, TimeSpan span, string[] match)
    {
        var from = Now;
        string[][] rules =
        [
            ["OUTPUT", "-d", SimulatedCluster.CollectorAddress, .. match, "-j", "DROP"],
            ["INPUT", "-s", SimulatedCluster.CollectorAddress, .. match, "-j", "DROP"],
        ];
        foreach (var rule in rules)
        {
            host.Simulated.Namespace.Exec(["iptables", "-A", .. rule]);
        }
        try
        {
            await Task.Delay(span);
        }
        finally
        {
            foreach (var rule in rules)
            {
                host.Simulated.Namespace.Exec(["iptables", "-D", .. rule]);
            }
        }
        var to = Now;
        truth.Impaired(new Impairment(fault, host.Name, ImpairmentScope.All, from, to + (to - from)) { Cut = to - from });
    }

    private Task PartitionAsync(SoakHost host, TimeSpan span) => DropAsync("partition", host, span, []);

    private Task PacketLossAsync(SoakHost host, TimeSpan span) =>
        DropAsync("packet-loss", host, span, ["-m", "statistic", "--mode", "random", "--probability", 0.3.ToString(CultureInfo.InvariantCulture)]);

    private async Task ReceiverDownAsync(TimeSpan down)
    {
        var webhook = random.Next(2) == 0;
        if (webhook)
        {
            cluster.Receivers.WebhookDown();
        }
        else
        {
            cluster.Receivers.SyslogDown();
        }
        await Task.Delay(down);
        if (webhook)
        {
            cluster.Receivers.WebhookUp();
        }
        else
        {
            cluster.Receivers.SyslogUp();
        }
    }
}
