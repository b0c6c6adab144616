using Dapper;
using DaemonNet.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Bench;

/// <summary>
/// The agent under an ARP flood on its bridge: a station in a network namespace on the host's br0
/// sends gratuitous ARP from a VM's own MAC (so that nothing is filtered out before the table) with
/// a new sender address each time, at a fixed rate, for a fixed time. The agent's CPU and peak RSS
/// come from /proc, the collector's CPU likewise, and what the agent reported from the database.
/// </summary>
internal sealed class CaptureFlood(int packetsPerSecond, TimeSpan duration, string? agentPath)
{
    private const string VmMac = "52:54:00:ab:09:01";

    // Sends ARP frames on eth0 at RATE per second for SECONDS, each with the next of 65,536 sender addresses; prints how many.
    private const string Flooder = """
        import socket, struct, sys, time
        rate, seconds, mac = int(sys.argv[1]), float(sys.argv[2]), bytes.fromhex(sys.argv[3].replace(":", ""))
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind(("eth0", 0))
        head = b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac
        tail = b"\x00" * 6 + bytes([10, 77, 0, 1])
        sent, start = 0, time.monotonic()
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= seconds:
                break
            while sent < int(elapsed * rate):
                s.send(head + bytes([10, 200, (sent >> 8) & 255, sent & 255]) + tail)
                sent += 1
            time.sleep(0.001)
        print(sent)
        """;

    public async Task RunAsync()
    {
        using var cluster = new SimulatedCluster();
        await cluster.StartCollectorAsync("--stale-after", "1h");
        var host = cluster.AddHost(1);
        host.Node.Domain("web9", "5f0c8a52-0001-4a5e-9c1e-000000000009", running: true, ("network", VmMac, "forward-bridge")).Write();
        host.StartAgent(interval: "10s", program: agentPath);
        await host.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(60));
        using var station = NetworkNamespace.Create("flood");
        host.Namespace.Ip("link", "add", "flood", "type", "veth", "peer", "name", "eth0", "netns", station.Name);
        host.Namespace.Ip("link", "set", "flood", "master", "br0", "up");
        station.Ip("link", "set", "eth0", "address", VmMac);
        station.Ip("link", "set", "eth0", "up");
        await Task.Delay(TimeSpan.FromSeconds(10));

        var agent = host.Agent.ProcessId;
        var collector = cluster.Collector!.ProcessId;
        var rssBefore = ProcessStats.StatusMiB(agent, "VmRSS");
        var (agentBefore, collectorBefore, wallBefore) = (ProcessStats.CpuSeconds(agent), ProcessStats.CpuSeconds(collector), DateTime.UtcNow);
        using var flood = RunningProgram.Start("ip", ["netns", "exec", station.Name, "/usr/bin/python3", "-c", Flooder,
            packetsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture), duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), VmMac]);
        var peakRss = rssBefore;
        while (!flood.HasExited)
        {
            peakRss = Math.Max(peakRss, ProcessStats.StatusMiB(agent, "VmRSS"));
            await Task.Delay(250);
        }
        await flood.ExitCodeAsync(TimeSpan.FromSeconds(30));
        var wall = (DateTime.UtcNow - wallBefore).TotalSeconds;
        var agentCpu = (ProcessStats.CpuSeconds(agent) - agentBefore) / wall * 100;
        var collectorCpu = (ProcessStats.CpuSeconds(collector) - collectorBefore) / wall * 100;
        var sent = long.Parse(flood.Output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
        // One more interval, so that the agent's report after the flood has reached the collector.
        await Task.Delay(TimeSpan.FromSeconds(12));
        using var database = new SqliteConnection($"Data Source={cluster.DatabasePath};Mode=ReadOnly;Pooling=False");
        var reported = await database.ExecuteScalarAsync<long>("SELECT count(*) FROM bindings WHERE mac = @Mac AND source = 4 AND valid_to IS NULL", new { Mac = VmMac });

        Console.WriteLine($"capture flood ({agentPath ?? "the Release build, JIT"}): gratuitous ARP from one VM's MAC with a new address each, {packetsPerSecond:N0}/s offered for {duration.TotalSeconds:0} s on br0");
        Console.WriteLine($"  frames sent: {sent:N0} ({sent / duration.TotalSeconds:N0}/s)");
        Console.WriteLine($"  agent: {agentCpu:0.0} % of one core over {wall:0.0} s, RSS {rssBefore:0} MiB before, peak {peakRss:0} MiB");
        Console.WriteLine($"  collector: {collectorCpu:0.0} % of one core meanwhile");
        Console.WriteLine($"  pairs the agent reported for that MAC after the flood: {reported:N0}");
    }
}
