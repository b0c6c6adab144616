using DaemonNet.Cli.Output;

namespace DaemonNet.Cli.Tests;

public class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(0, "0 s ago")]
    [InlineData(12, "12 s ago")]
    [InlineData(119, "119 s ago")]
    [InlineData(300, "5 min ago")]
    [InlineData(3 * 3600, "3 h ago")]
    [InlineData(3 * 86400, "3 d ago")]
    [InlineData(-5, "0 s ago")]
    public void Ago_Age_IsReadable(int seconds, string expected)
    {
        Assert.Equal(expected, RelativeTime.Ago(Now.AddSeconds(-seconds), Now));
    }

    [Fact]
    public void Until_PastOrFuture_SaysExpiredOrIn()
    {
        Assert.Equal("in 55 min", RelativeTime.Until(Now.AddMinutes(55), Now));
        Assert.Equal("expired", RelativeTime.Until(Now.AddMinutes(-1), Now));
    }

    [Fact]
    public void Absolute_Utc_EndsInZ()
    {
        Assert.Equal("2026-11-28 12:00:00Z", RelativeTime.Absolute(Now, utc: true));
    }
}
