using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

public class ListeningClockTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void SinceMs_LookedAtOften_StaysTheStart()
    {
        var clock = new ListeningClock(Start);

        var since = clock.SinceMs(Start.AddMinutes(5));

        Assert.Equal(Start.ToUnixTimeMilliseconds(), since);
    }

    [Fact]
    public async Task SinceMs_AfterARealGapLongerThanTheBreak_StartsAgainAtTheLook()
    {
        var clock = new ListeningClock(Start);
        clock.SinceMs(Start.AddSeconds(1));

        // No look for longer than a break, as when the process is frozen (SIGSTOP).
        await Task.Delay(ListeningClock.Break + TimeSpan.FromMilliseconds(300));
        var since = clock.SinceMs(Start.AddSeconds(20));

        Assert.Equal(Start.AddSeconds(20).ToUnixTimeMilliseconds(), since);
    }

    [Fact]
    public void Always_NeverCountsFromLaterThanTheBeginningOfTime()
    {
        Assert.Equal(long.MinValue, ListeningClock.Always.SinceMs(Start));
    }

    [Fact]
    public void IsSilent_AHostWhoseLastReportPrecedesTheCollectorsStart_CountsFromTheStart()
    {
        var rules = IntervalRules.Default with { Listening = new ListeningClock(Start) };
        var host = new HostRow { Name = "daemon1", LastReport = Start.AddSeconds(-40).ToUnixTimeMilliseconds(), IntervalMs = 10_000 };

        Assert.False(rules.IsSilent(host, Start.AddSeconds(20)));
        Assert.True(rules.SilentSinceLastReport(host, Start.AddSeconds(20)));
        Assert.True(rules.IsSilent(host, Start.AddSeconds(31)));
    }
}
