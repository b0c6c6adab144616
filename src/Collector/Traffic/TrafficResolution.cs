namespace DaemonNet.Collector.Traffic;

/// <summary>
/// How much detail traffic keeps. A host's counter reading becomes a traffic row at most every
/// <paramref name="SampleEvery"/> (readings in between are skipped: the next row covers them);
/// rows are kept as they are for <paramref name="RawFor"/>, then as 5-minute sums until
/// <paramref name="FiveMinutesFor"/>, then as hourly sums (until retention, if set). Sums keep the
/// volume exact; only the shape within a bucket is lost.
/// </summary>
public sealed record TrafficResolution(TimeSpan SampleEvery, TimeSpan RawFor, TimeSpan FiveMinutesFor)
{
    public static readonly TrafficResolution Default = new(TimeSpan.FromMinutes(1), TimeSpan.FromHours(48), TimeSpan.FromDays(30));

    /// <summary>Each step sums rows of one resolution (seconds, 0 for raw) older than an age into the next.</summary>
    public IEnumerable<(long From, long To, TimeSpan Age)> Steps => [(0, 300, RawFor), (300, 3600, FiveMinutesFor)];
}
