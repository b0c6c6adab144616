using DaemonNet.HostAgent.Sync;

namespace DaemonNet.HostAgent.Tests.Sync;

public class BackoffTests
{
    [Fact]
    public void Next_RepeatedFailures_DoublesUpToTheCapWithJitterInTheUpperHalf()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(7));

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalSeconds).ToList();

        double[] ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.InRange(delays[i], ceilings[i] / 2, ceilings[i]);
        }
    }

    [Fact]
    public void Next_ManyAgentsFailingTogether_DoNotAllRetryAtOnce()
    {
        var delays = Enumerable.Range(0, 100)
            .Select(seed => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(seed)))
            .Select(b => { b.Next(); b.Next(); return b.Next().TotalMilliseconds; })
            .ToList();

        Assert.True(delays.Distinct().Count() > 90, "the retry times should be spread, not equal");
    }

    [Fact]
    public void ForInterval_DefaultInterval_NeverWaitsLongerThanOneInterval()
    {
        // Issue 25: a collector stopped for 20 s found one agent's backoff grown to 16 s, and the
        // default 60 s cap would have kept agents away for most of a minute after a short outage.
        var backoff = Backoff.ForInterval(TimeSpan.FromSeconds(10), new Random(3));

        var delays = Enumerable.Range(0, 20).Select(_ => backoff.Next()).ToList();

        Assert.InRange(delays[0].TotalSeconds, 0.5, 1);
        Assert.All(delays, d => Assert.True(d <= TimeSpan.FromSeconds(10), $"waited {d} with a 10 s interval"));
        Assert.True(delays[^1] >= TimeSpan.FromSeconds(5), "the waits still grow towards the interval");
    }

    [Theory]
    [InlineData(0.3, 0.3)]
    [InlineData(3600, 60)]
    public void ForInterval_ShortOrLongInterval_IsCappedByTheIntervalAndAMinute(double intervalSeconds, double capSeconds)
    {
        var backoff = Backoff.ForInterval(TimeSpan.FromSeconds(intervalSeconds), new Random(5));

        var longest = Enumerable.Range(0, 30).Max(_ => backoff.Next().TotalSeconds);

        Assert.InRange(longest, capSeconds / 2, capSeconds);
    }

    [Fact]
    public void Reset_AfterFailures_StartsFromTheFirstDelayAgain()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(1));
        for (var i = 0; i < 5; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalSeconds, 0.5, 1);
    }
}
