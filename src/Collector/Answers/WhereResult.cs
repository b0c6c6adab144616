namespace DaemonNet.Collector.Answers;

/// <param name="Vms">The VMs that match.</param>
/// <param name="Unowned">
/// When none match an IP address: the MACs bound to it, each with the host that saw it; when none
/// match a MAC: the addresses bound to it.
/// </param>
public sealed record WhereResult(IReadOnlyList<LocatedVm> Vms, IReadOnlyList<BoundWithoutVm> Unowned);

/// <summary>
/// A MAC or an address bound to what a question asked about, where no VM has the MAC, with the
/// host whose table showed it and the device it was seen on there.
/// </summary>
public sealed record BoundWithoutVm(string Value, string Host, string Device);
