namespace DaemonNet.Cli.Output;

/// <summary>Ages and times as an admin reads them: "12 s ago", "5 min ago", "in 55 min".</summary>
internal static class RelativeTime
{
    public static string Ago(DateTimeOffset then, DateTimeOffset now) => $"{Span(now - then)} ago";

    public static string Until(DateTimeOffset then, DateTimeOffset now) => then <= now ? "expired" : $"in {Span(then - now)}";

    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        return span.TotalSeconds switch
        {
            < 120 => $"{(int)span.TotalSeconds} s",
            < 7_200 => $"{(int)span.TotalMinutes} min",
            < 172_800 => $"{(int)span.TotalHours} h",
            _ => $"{(int)span.TotalDays} d",
        };
    }

    /// <summary>A point in time to the second, in local time with its offset or in UTC.</summary>
    public static string Absolute(DateTimeOffset time, bool utc) =>
        utc ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}
