using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Storage;

/// <summary>What holds now, cluster-wide: the hosts question, the audit, the tunnel report and the metrics read it.</summary>
public interface IStateReader
{
    Task<IReadOnlyList<HostRow>> ListHostsAsync(CancellationToken cancellationToken);

    /// <summary>Every open interval of the cluster, read in one transaction.</summary>
    Task<ClusterState> CurrentStateAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The latest counter reading of every link of every host.</summary>
    Task<IReadOnlyList<LinkCounterRow>> LinkCountersAsync(CancellationToken cancellationToken);

    /// <summary>Traffic rows that end after <paramref name="since"/>, of one host or all, by host and link, oldest first.</summary>
    Task<IReadOnlyList<TrafficRow>> TrafficAsync(string? hostName, DateTimeOffset since, CancellationToken cancellationToken);
}
