namespace DaemonNet.Cli.Tests;

public class TimeExpressionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.CreateCustomTimeZone("test+1", TimeSpan.FromHours(1), "test+1", "test+1");

    [Theory]
    [InlineData("2026-11-03T14:05", "2026-11-03T14:05:00+01:00")]
    [InlineData("2026-11-03 14:05:00+01:00", "2026-11-03T14:05:00+01:00")]
    [InlineData("2026-11-03T14:05:30Z", "2026-11-03T14:05:30+00:00")]
    [InlineData("2026-11-03T14:05:30.250-05:00", "2026-11-03T14:05:30.250-05:00")]
    [InlineData("2026-11-03", "2026-11-03T00:00:00+01:00")]
    [InlineData("90s ago", "2026-11-28T11:58:30Z")]
    [InlineData("15m ago", "2026-11-28T11:45:00Z")]
    [InlineData("2h ago", "2026-11-28T10:00:00Z")]
    [InlineData("3d ago", "2026-11-25T12:00:00Z")]
    [InlineData("1h30m ago", "2026-11-28T10:30:00Z")]
    [InlineData("now", "2026-11-28T12:00:00Z")]
    [InlineData(" NOW ", "2026-11-28T12:00:00Z")]
    public void TryParse_AcceptedForm_GivesTheInstant(string text, string expected)
    {
        Assert.True(TimeExpression.TryParse(text, Now, Berlin, out var instant));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("11/03/2026")]
    [InlineData("2026-11-03T25:00")]
    [InlineData("2026-13-03")]
    [InlineData("90 ago")]
    [InlineData("ago")]
    [InlineData("90s")]
    [InlineData("100000d ago")]
    public void TryParse_OtherText_IsRefused(string text)
    {
        Assert.False(TimeExpression.TryParse(text, Now, Berlin, out _));
    }
}
