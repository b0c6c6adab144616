namespace DaemonNet.Collector.Storage;

/// <summary>A binding with the host whose table showed it and when that host last reported.</summary>
public sealed record BindingRow(
    string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId,
    long? LeaseExpiry, long ValidFrom, long? ValidTo, long? LastSeen, long HostId, string ObservedOn, long ObserverLastReport)
{
    /// <summary>The last report that showed the binding: its host's last report while it is open.</summary>
    public long LastConfirmed => LastSeen ?? (ValidTo is null ? ObserverLastReport : ValidFrom);
}
