namespace DaemonNet.Collector.Traffic;

/// <summary>One reading of a link's counters, as stored: 64-bit unsigned values kept in signed columns.</summary>
public sealed record CounterReading(string Link, string BootId, long Ifindex, long SampledAt, long RxBytes, long TxBytes, long RxPackets, long TxPackets);
