namespace DaemonNet.Collector.Traffic;

/// <summary>The rates of one stored traffic interval: Unix milliseconds, bits per second.</summary>
public sealed record RatePoint(long From, long To, double RxBitsPerSecond, double TxBitsPerSecond);
