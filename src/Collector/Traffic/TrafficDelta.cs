namespace DaemonNet.Collector.Traffic;

/// <summary>What flowed on a link between two readings.</summary>
public sealed record TrafficDelta(string Link, long ValidFrom, long ValidTo, long RxBytes, long TxBytes, long RxPackets, long TxPackets);
