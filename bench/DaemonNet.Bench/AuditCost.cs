using System.Diagnostics;
using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Tunnels;

namespace DaemonNet.Bench;

/// <summary>
/// What one whole-cluster audit costs, as the `audit` question and the alert engine (after
/// commits) run it: time, bytes allocated, and how much the process's resident memory grows,
/// on an existing database from the history scenario.
/// </summary>
internal sealed class AuditCost(Store store, int runs)
{
    public async Task RunAsync()
    {
        var rules = new IntervalRules(TimeSpan.FromDays(10_000), TimeSpan.FromMinutes(15));
        var settings = new Dictionary<string, TunnelSettings>(StringComparer.Ordinal);
        var residentBefore = ProcessStats.StatusMiB(Environment.ProcessId, "VmRSS");
        var timings = new Latencies();
        long allocated = 0;
        var findings = 0;
        var state = (Hosts: 0, Domains: 0, Nics: 0, Bindings: 0);
        for (var i = 0; i < runs; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            var (found, cluster) = await ClusterAudit.RunAsync(store.State, rules, settings, DateTimeOffset.UtcNow, null, null, null, CancellationToken.None);
            timings.Add(watch.Elapsed);
            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            findings = found.Count;
            state = (cluster.Hosts.Count, cluster.Domains.Count, cluster.Nics.Count, cluster.Bindings.Count);
        }
        var loadBefore = GC.GetTotalAllocatedBytes(precise: true);
        var loading = Stopwatch.StartNew();
        await store.State.CurrentStateAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Console.WriteLine($"loading the cluster's open rows alone: {loading.Elapsed.TotalMilliseconds:0} ms, {(GC.GetTotalAllocatedBytes(precise: true) - loadBefore) / 1_048_576.0:0.0} MiB allocated");
        Console.WriteLine($"audit of {state.Hosts} hosts, {state.Domains} open domains, {state.Nics} NICs, {state.Bindings} bindings: {findings} findings");
        Console.WriteLine($"  time {timings.Summary}");
        Console.WriteLine($"  allocated per run {allocated / runs / 1_048_576.0:0.0} MiB; resident {residentBefore:0} MiB before, "
            + $"{ProcessStats.StatusMiB(Environment.ProcessId, "VmRSS"):0} MiB after, peak {ProcessStats.StatusMiB(Environment.ProcessId, "VmHWM"):0} MiB");
    }
}
