using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Facts;

/// <summary>
/// A host's snapshot in the collector's own terms, as the ingest writer stores it: who reported,
/// the content hash heartbeats vouch for, the facts each source that did not fail states, and the
/// counter readings (their SampledAt is the instant the writer files them at). Made at the edge
/// from the contract's HostSnapshot (<see cref="FactCatalogue.Report"/>).
/// </summary>
public sealed record HostReport(string Host, string ContentHash, long? AgentTime, IReadOnlyList<StatedFacts> Facts)
{
    public string MachineId { get; init; } = "";

    public string AgentVersion { get; init; } = "";

    public string Kernel { get; init; } = "";

    public long IntervalMs { get; init; }

    public IReadOnlyList<SourceFailure> Failures { get; init; } = [];

    /// <summary>False when the host states it has no ifupdown configuration: then its tunnels have no drift to check.</summary>
    public bool InterfacesConfigured { get; init; } = true;

    public IReadOnlyList<CounterReading> Counters { get; init; } = [];

    /// <summary>
    /// An observation the agent kept while the collector was unreachable (or whose acknowledgement
    /// it never got), sent later: one no newer on the agent's clock than what the store already
    /// holds of the host is not written again.
    /// </summary>
    public bool Replayed { get; init; }

    /// <summary>The VM (uuid, name) of each MAC the report's NICs have: what a watcher is told an address belongs to.</summary>
    public IReadOnlyDictionary<string, (string Uuid, string Name)> VmsByMac()
    {
        var names = Facts.OfType<StatedFacts<DomainFact>>().SelectMany(s => s.Facts).GroupBy(d => d.Uuid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var byMac = new Dictionary<string, (string Uuid, string Name)>(StringComparer.Ordinal);
        foreach (var nic in Facts.OfType<StatedFacts<NicFact>>().SelectMany(s => s.Facts))
        {
            byMac.TryAdd(nic.Mac, (nic.DomainUuid, names.GetValueOrDefault(nic.DomainUuid) ?? ""));
        }
        return byMac;
    }
}

/// <summary>A heartbeat in the collector's terms: "nothing changed since the content with this hash", and the counters, which move anyway.</summary>
public sealed record HeartbeatReport(string Host, string ContentHash, long? AgentTime, IReadOnlyList<CounterReading> Counters);
