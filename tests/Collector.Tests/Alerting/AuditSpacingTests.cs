using DaemonNet.Collector.Alerting;

namespace DaemonNet.Collector.Tests.Alerting;

public class AuditSpacingTests
{
    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void FastRuns_WaitTheMinimumSecondCountedFromTheirStart()
    {
        var spacing = new AuditSpacing();

        Assert.Equal(Ms(980), spacing.After(Ms(20)));
        Assert.Equal(Ms(970), spacing.After(Ms(30)));
    }

    [Fact]
    public void RunsThatAreAllSlow_LeaveTenTimesTheirCostBetweenThem_OnceThreeWereMade()
    {
        var spacing = new AuditSpacing();

        var waits = Enumerable.Range(0, 4).Select(_ => spacing.After(Ms(2_000))).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, Ms(18_000), Ms(18_000)], waits);
    }

    [Fact]
    public void OneSlowRun_TheFirstOrALaterOne_DoesNotHoldTheNextBack()
    {
        var spacing = new AuditSpacing();

        Assert.Equal(TimeSpan.Zero, spacing.After(Ms(1_500)));
        Assert.Equal(Ms(950), spacing.After(Ms(50)));
        Assert.Equal(Ms(950), spacing.After(Ms(50)));
        Assert.Equal(Ms(950), spacing.After(Ms(50)));
        Assert.Equal(TimeSpan.Zero, spacing.After(Ms(3_000)));
        Assert.Equal(Ms(950), spacing.After(Ms(50)));
    }
}
