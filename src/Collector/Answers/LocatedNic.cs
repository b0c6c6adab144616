namespace DaemonNet.Collector.Answers;

/// <summary>A NIC with its addresses, best evidence first.</summary>
public sealed record LocatedNic(NicRow Nic, IReadOnlyList<BindingRow> Addresses);
