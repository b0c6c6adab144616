using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources;

/// <summary>
/// One kind of fact about the host (osquery's "table"): it fills its part of a snapshot. A source
/// that throws is reported as that source's error and the others still flow.
/// </summary>
public interface ISnapshotSource
{
    /// <summary>Short, stable name used in <see cref="SourceError.Source"/>: libvirt, kernel, leases.</summary>
    string Name { get; }

    Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken);
}
