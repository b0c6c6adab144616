using DaemonNet.Collector.Answers;

namespace DaemonNet.Collector.Storage;

/// <summary>The where and vms questions.</summary>
public interface IWhereReader
{
    /// <summary>The VMs the query matches now (<paramref name="at"/> null) or as they stood at an instant.</summary>
    Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset? at, CancellationToken cancellationToken);

    /// <summary>Every VM defined now, of one host or all, with its NICs and addresses.</summary>
    Task<IReadOnlyList<LocatedVm>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The names of every VM defined now, each once: what a mistyped name is compared with.</summary>
    Task<IReadOnlyList<string>> CurrentVmNamesAsync(CancellationToken cancellationToken);
}
