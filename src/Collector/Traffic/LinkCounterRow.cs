namespace DaemonNet.Collector.Traffic;

/// <summary>A link's latest counter reading: the byte counters as the host's kernel last reported them (they restart at its boot).</summary>
public sealed record LinkCounterRow(string Host, string Link, long RxBytes, long TxBytes);
