using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Turns libvirt's events (a VM started, stopped, defined, a NIC plugged, a network started) into
/// a <see cref="ChangeSignal"/>, so a state change reaches the collector without waiting for the
/// interval. Keeps one read-only connection open and reconnects when libvirtd restarts; while it
/// cannot, the interval still catches every change, only later. Whatever stops it (libvirtd gone,
/// or libvirt's library missing altogether) is a source error named
/// <see cref="SourceNames.LibvirtEvents"/> until it follows events again, and is logged once.
/// </summary>
public sealed class LibvirtEventMonitor(ChangeSignal signal, MonitorErrors errors, IOptions<AgentOptions> options, ILogger<LibvirtEventMonitor> log)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failure = "";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var subscription = LibvirtSubscription.Open(options.Value.LibvirtUri, signal.Raise);
                log.LogInformation("Following libvirt events at {Uri}", options.Value.LibvirtUri);
                failure = "";
                errors.Recovered(SourceNames.LibvirtEvents);
                // Whatever happened while no one listened is seen by the snapshot this asks for.
                signal.Raise();
                var reason = await subscription.Closed.WaitAsync(stoppingToken);
                log.LogWarning("libvirt closed the event connection ({Reason}); reconnecting", reason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A library that cannot be loaded throws DllNotFoundException at the first call:
                // the agent's other sources still report, so this loop only says so and retries.
                var reason = e is DllNotFoundException ? $"libvirt's library cannot be loaded ({e.Message})" : e.Message;
                errors.Failed(SourceNames.LibvirtEvents, $"cannot follow libvirt events, changes are seen at the next interval: {reason}");
                if (reason != failure)
                {
                    log.LogWarning("Cannot follow libvirt events ({Reason}); changes are seen at the next interval", reason);
                    failure = reason;
                }
            }
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }
}
