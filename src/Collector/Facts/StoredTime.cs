namespace DaemonNet.Collector.Facts;

/// <summary>A stored Unix-millisecond time as an instant, clamped: no stored value, whatever wrote it, can make an answer fail.</summary>
public static class StoredTime
{
    private static readonly long MinUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static DateTimeOffset ToInstant(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds, MinUnixMs, MaxUnixMs));
}
