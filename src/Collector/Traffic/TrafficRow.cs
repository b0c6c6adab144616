namespace DaemonNet.Collector.Traffic;

/// <summary>What flowed on a link in one stored interval.</summary>
public sealed record TrafficRow(long HostId, string Link, long Resolution, long ValidFrom, long ValidTo, long RxBytes, long TxBytes, long RxPackets, long TxPackets)
{
    public double Seconds => (ValidTo - ValidFrom) / 1000.0;
}
