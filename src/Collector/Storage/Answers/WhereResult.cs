namespace DaemonNet.Collector.Storage;

/// <param name="Vms">The VMs that match.</param>
/// <param name="BoundWithoutVm">
/// When none match an IP address: the MACs bound to it, each with the host that saw it ("MAC (host)");
/// when none match a MAC: the addresses bound to it.
/// </param>
public sealed record WhereResult(IReadOnlyList<LocatedVm> Vms, IReadOnlyList<string> BoundWithoutVm);
