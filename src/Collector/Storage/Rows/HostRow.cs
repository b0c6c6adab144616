using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// A host as last reported. Properties rather than a constructor: VmCount is computed, and on an
/// empty table SQLite gives such a column no type, which Dapper's constructor matching rejects.
/// </summary>
public sealed record HostRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string MachineId { get; init; } = "";
    public string AgentVersion { get; init; } = "";
    public string Kernel { get; init; } = "";
    public long IntervalMs { get; init; }
    public string ContentHash { get; init; } = "";
    public string Errors { get; init; } = "[]";
    public long? AgentTime { get; init; }
    public long FirstReport { get; init; }
    public long LastReport { get; init; }

    /// <summary>The sources that failed in the host's last snapshot, with their messages.</summary>
    public IEnumerable<SourceError> SourceErrors =>
        (System.Text.Json.JsonSerializer.Deserialize<string[][]>(Errors) ?? []).Select(e => new SourceError { Source = e[0], Message = e[1] });

    /// <summary>0 when the host has no ifupdown configuration (a stated choice): its tunnels have no drift to check.</summary>
    public long InterfacesConfigured { get; init; } = 1;

    /// <summary>Running and defined VMs now; counted for host listings only, zero in answers about VMs.</summary>
    public long VmCount { get; init; }
}
