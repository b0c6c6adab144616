using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Tests.Traffic;

public class TrafficSamplerTests
{
    private static readonly TrafficResolution EveryMinute = TrafficResolution.Default with { SampleEvery = TimeSpan.FromMinutes(1) };

    private static CounterReading Reading(long at, long rx, string boot = "b1", string link = "he-ipv6") => new(link, boot, 5, at, rx, 0, 0, 0);

    [Fact]
    public void IsDue_FirstReadingOfAHost_IsDue()
    {
        var sampler = new TrafficSampler(EveryMinute);

        Assert.True(sampler.IsDue(1, [Reading(0, 100)], 0, out var beforeRestart));
        Assert.Empty(beforeRestart);
    }

    [Fact]
    public void IsDue_WithinTheSamplePeriod_IsNotDue_AfterItIs()
    {
        var sampler = new TrafficSampler(EveryMinute);
        sampler.Committed(1, [Reading(0, 100)], becameRows: true, now: 0);

        Assert.False(sampler.IsDue(1, [Reading(30_000, 200)], 30_000, out _));
        Assert.True(sampler.IsDue(1, [Reading(60_000, 300)], 60_000, out _));
        Assert.True(sampler.IsDue(2, [Reading(30_000, 200)], 30_000, out _));
    }

    [Fact]
    public void IsDue_CounterRestartedWithinThePeriod_IsDueWithTheReadingBeforeTheRestart()
    {
        var sampler = new TrafficSampler(EveryMinute);
        sampler.Committed(1, [Reading(0, 100)], becameRows: true, now: 0);
        sampler.Committed(1, [Reading(20_000, 900)], becameRows: false, now: 20_000);

        var due = sampler.IsDue(1, [Reading(40_000, 50, boot: "b2")], 40_000, out var beforeRestart);

        Assert.True(due);
        Assert.Equal(Reading(20_000, 900), beforeRestart["he-ipv6"]);
    }

    [Fact]
    public void Flowed_AcrossARestart_CountsUpToTheLastReadingBeforeItAndFromZeroAfter()
    {
        var anchors = new Dictionary<string, CounterReading>(StringComparer.Ordinal) { ["he-ipv6"] = Reading(0, 100) };
        var beforeRestart = new Dictionary<string, CounterReading>(StringComparer.Ordinal) { ["he-ipv6"] = Reading(20_000, 900) };

        var flowed = TrafficSampler.Flowed(anchors, [Reading(40_000, 50, boot: "b2")], beforeRestart);

        Assert.Equal([(0L, 20_000L, 800L), (20_000L, 40_000L, 50L)], flowed.Select(f => (f.ValidFrom, f.ValidTo, f.RxBytes)));
    }

    [Fact]
    public void Flowed_LinkWithoutAnchorOrAReplayedOlderReading_AddsNothing()
    {
        var anchors = new Dictionary<string, CounterReading>(StringComparer.Ordinal) { ["he-ipv6"] = Reading(50_000, 100) };

        var flowed = TrafficSampler.Flowed(anchors, [Reading(40_000, 90), Reading(60_000, 5, link: "br0")], new Dictionary<string, CounterReading>(StringComparer.Ordinal));

        Assert.Empty(flowed);
    }
}
