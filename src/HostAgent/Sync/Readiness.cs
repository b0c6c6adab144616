using DaemonNet.Protos.V1;
using Microsoft.Extensions.Hosting.Systemd;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// Tells systemd (Type=notify) that the agent is ready once its first snapshot is built, whether or
/// not the collector can be reached yet, with what it saw as the status line. Later snapshots
/// only update the status when the counts change. Without NOTIFY_SOCKET it does nothing.
/// </summary>
public sealed class Readiness(ISystemdNotifier notifier)
{
    private string? lastStatus;

    public void Built(HostSnapshot snapshot)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }
        var status = $"{snapshot.Domains.Count} VMs, {snapshot.Networks.Count} networks, {snapshot.Neighbours.Count} neighbours, {snapshot.Errors.Count} source errors";
        if (status == lastStatus)
        {
            return;
        }
        notifier.Notify(new ServiceState(lastStatus is null ? $"READY=1\nSTATUS={status}" : $"STATUS={status}"));
        lastStatus = status;
    }
}
