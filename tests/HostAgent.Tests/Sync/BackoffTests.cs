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
