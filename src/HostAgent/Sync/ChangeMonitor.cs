using System.Diagnostics;
using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Turns host events into a <see cref="ChangeSignal"/>, so a change reaches the collector without
/// waiting for the next interval: the kernel's link, address and neighbour announcements (on a
/// rtnetlink socket subscribed to their multicast groups; through <c>ip monitor</c> should that
/// socket fail) and writes to the lease folder. If neither can run, the periodic check still
/// catches every change, only later, and the failure is a source error named
/// <see cref="SourceNames.KernelEvents"/> until the monitor runs again.
/// </summary>
public sealed class ChangeMonitor(ChangeSignal signal, MonitorErrors errors, IOptions<AgentOptions> options, ILogger<ChangeMonitor> log) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var leases = TryWatchLeases();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowKernelAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                errors.Failed(SourceNames.KernelEvents, $"cannot follow kernel events, changes are seen at the next interval: {e.Message}");
                log.LogWarning("Cannot follow kernel events ({Reason}); changes are seen at the next interval", e.Message);
            }
            await Task.Delay(RestartDelay, stoppingToken);
        }
    }

    /// <summary>The lease folder's watcher; when the system refuses one (inotify's limits), the interval finds lease changes instead.</summary>
    private FileSystemWatcher? TryWatchLeases()
    {
        try
        {
            return WatchLeases(options.Value.LeasesDir, signal);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            log.LogWarning("Cannot watch the lease folder {Folder} ({Reason}); lease changes are seen at the next interval", options.Value.LeasesDir, e.Message);
            return null;
        }
    }

    private async Task FollowKernelAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Factory.StartNew(() => HearKernel(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (SourceException e)
        {
            log.LogWarning("Cannot hear kernel announcements over rtnetlink ({Reason}); following ip monitor instead", e.Message);
            await FollowIpMonitorAsync(stoppingToken);
        }
    }

    /// <summary>Raises the signal for every datagram of announcements, until stopped; wakes once a second to see whether it is.</summary>
    private void HearKernel(CancellationToken stoppingToken)
    {
        using var socket = RtnetlinkSocket.Open(RtnetlinkSocket.KernelSourceGroups, TimeSpan.FromSeconds(1));
        errors.Recovered(SourceNames.KernelEvents);
        var buffer = new byte[64 * 1024];
        while (!stoppingToken.IsCancellationRequested)
        {
            if (socket.Receive(buffer) > 0)
            {
                signal.Raise();
            }
        }
    }

    private async Task FollowIpMonitorAsync(CancellationToken stoppingToken)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "monitor", "link", "address", "neigh" })
        {
            start.ArgumentList.Add(argument);
        }
        using var monitor = Process.Start(start) ?? throw new InvalidOperationException("cannot start ip monitor");
        errors.Recovered(SourceNames.KernelEvents);
        try
        {
            while (await monitor.StandardOutput.ReadLineAsync(stoppingToken) is not null)
            {
                signal.Raise();
            }
        }
        finally
        {
            if (!monitor.HasExited)
            {
                monitor.Kill();
            }
        }
    }

    /// <summary>Raises <paramref name="signal"/> when a dnsmasq status file in <paramref name="folder"/> is written, created, renamed or deleted; null when there is no such folder.</summary>
    public static FileSystemWatcher? WatchLeases(string folder, ChangeSignal signal)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }
        var watcher = new FileSystemWatcher(folder, "*.status");
        watcher.Changed += (_, _) => signal.Raise();
        watcher.Created += (_, _) => signal.Raise();
        watcher.Deleted += (_, _) => signal.Raise();
        watcher.Renamed += (_, _) => signal.Raise();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
