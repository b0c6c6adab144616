using DaemonNet.Collector.Facts;

namespace DaemonNet.Collector.Answers;

/// <summary>A binding's interval (<see cref="FactCatalogue.Bindings"/>), with the host whose table showed it and when that host last reported.</summary>
public sealed record BindingRow(long HostId, string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId,
    long? LeaseExpiry, long? SeenAt, long ValidFrom, long? ValidTo, string ObservedOn, long ObserverLastReport)
{
    public long LastConfirmed => Evidence.LastConfirmed(SeenAt, ValidFrom, ValidTo, ObserverLastReport);

    /// <summary>The evidence in words (<see cref="Evidence.Words"/>).</summary>
    public string Words => Evidence.Words(Source, NeighbourState);
}
