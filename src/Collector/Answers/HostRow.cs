using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Answers;

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

    /// <summary>The sources that failed in the host's last snapshot, with their messages (stored as a JSON array of [source, message] pairs).</summary>
    public IEnumerable<SourceFailure> SourceErrors =>
        (System.Text.Json.JsonSerializer.Deserialize<string[][]>(Errors) ?? []).Select(e => new SourceFailure(e[0], e[1]));

    /// <summary>0 when the host has no ifupdown configuration (a stated choice): its tunnels have no drift to check.</summary>
    public long InterfacesConfigured { get; init; } = 1;

    /// <summary>Running and defined VMs now; counted for host listings only, zero in answers about VMs.</summary>
    public long VmCount { get; init; }
}
