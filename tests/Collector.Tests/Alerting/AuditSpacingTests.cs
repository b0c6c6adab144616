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
    public void SlowRuns_LeaveTenTimesTheLastOnesDurationBetweenThem()
    {
        var spacing = new AuditSpacing();
        spacing.After(Ms(50));

        Assert.Equal(Ms(18_000), spacing.After(Ms(2_000)));
        Assert.Equal(Ms(27_000), spacing.After(Ms(3_000)));
        Assert.Equal(Ms(950), spacing.After(Ms(50)));
    }

    [Fact]
    public void FirstRunAfterAStart_DoesNotHoldTheNextBack_HoweverSlow()
    {
        var spacing = new AuditSpacing();

        Assert.Equal(TimeSpan.Zero, spacing.After(Ms(1_400)));
        Assert.Equal(Ms(920), spacing.After(Ms(80)));
        Assert.Equal(Ms(18_000), spacing.After(Ms(2_000)));
    }
}
