using DaemonNet.Tests.Support;

namespace DaemonNet.Bench;

/// <summary>
/// The agent's steady-state cost on a busy host: 100 VMs (libvirt test driver) and 1,000 neighbour
/// entries in a network namespace, reporting to a collector over mutual TLS. CPU from
/// /proc/PID/stat over a quiet minute after a warm-up (its own and its children's), memory from /proc/PID/status.
/// </summary>
internal sealed class AgentFootprint(int vms, int neighbours, TimeSpan interval, TimeSpan window, string? agentPath)
{
    public async Task RunAsync()
    {
        using var cluster = new SimulatedCluster();
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        for (var vm = 0; vm < vms; vm++)
        {
            host.Node.Domain($"vm{vm:D3}", $"5f0c8a52-0001-4a5e-9c1e-{vm:D12}", running: true, ("network", $"52:54:00:ab:{vm / 256:x2}:{vm % 256:x2}", "nat-bridge"));
        }
        host.Node.Write();
        var batch = string.Join('\n', Enumerable.Range(0, neighbours).Select(n =>
            $"neigh replace 192.168.{122 + n / 250}.{2 + n % 250} lladdr 52:54:00:cd:{n / 256:x2}:{n % 256:x2} dev virbr0 nud permanent"));
        var batchFile = cluster.Folder.File("neighbours.batch");
        await File.WriteAllTextAsync(batchFile, batch + "\n");
        host.Namespace.Ip("-batch", batchFile);
        host.StartAgent(interval: $"{interval.TotalSeconds:0}s", program: agentPath);
        await host.Agent!.WaitForOutputAsync("Connected to collector", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(20));

        var pid = host.Agent.ProcessId;
        var (cpuBefore, childrenBefore, wallBefore) = (ProcessStats.CpuSeconds(pid), ProcessStats.ChildrenCpuSeconds(pid), DateTime.UtcNow);
        await Task.Delay(window);
        var seconds = (DateTime.UtcNow - wallBefore).TotalSeconds;
        var cpu = (ProcessStats.CpuSeconds(pid) - cpuBefore) / seconds * 100;
        var children = (ProcessStats.ChildrenCpuSeconds(pid) - childrenBefore) / seconds * 100;
        Console.WriteLine($"agent footprint ({agentPath ?? "the Release build, JIT"}): {vms} VMs, {neighbours} neighbour entries, interval {interval.TotalSeconds:0} s, measured over {window.TotalSeconds:0} s after a 20 s warm-up");
        Console.WriteLine($"  CPU: {cpu + children:0.00} % of one core with its children ({cpu:0.00} % itself, {children:0.00} % in child processes)");
        Console.WriteLine($"  memory: RSS {ProcessStats.StatusMiB(pid, "VmRSS"):0} MiB, peak {ProcessStats.StatusMiB(pid, "VmHWM"):0} MiB");
    }
}
