using System.Collections.Concurrent;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources;

/// <summary>
/// What the loops that follow the host's events (libvirt's, the kernel's) failed with, by the
/// loop's name. They run beside the snapshots, so a failure of theirs is reported with the next
/// snapshot as a source error of its own name (<c>hosts</c> shows it), never by stopping the agent.
/// </summary>
public sealed class MonitorErrors
{
    private readonly ConcurrentDictionary<string, string> failing = new(StringComparer.Ordinal);

    public void Failed(string monitor, string message) => failing[monitor] = HostSnapshotBuilder.OneLine(message);

    public void Recovered(string monitor) => failing.TryRemove(monitor, out _);

    public IEnumerable<SourceError> Current => failing.Select(f => new SourceError { Source = f.Key, Message = f.Value });
}
