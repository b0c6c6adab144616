using System.Globalization;
using System.Text.RegularExpressions;

namespace DaemonNet.Protos.Formats;

/// <summary>
/// Durations as admins type them in flags and configuration: <c>500ms</c>, <c>10s</c>, <c>5m</c>,
/// <c>2h</c>, <c>3d</c>, or parts run together such as <c>1m30s</c>.
/// </summary>
public static partial class DurationText
{
    public const string AcceptedForms = "a number with a unit: 500ms, 10s, 5m, 2h, 3d, or parts like 1m30s";

    [GeneratedRegex(@"^(?:(?<amount>\d+(?:\.\d+)?)(?<unit>ms|s|m|h|d))+$", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text?.Trim() ?? "");
        if (!match.Success)
        {
            return false;
        }
        var total = 0.0;
        for (var i = 0; i < match.Groups["amount"].Captures.Count; i++)
        {
            var amount = double.Parse(match.Groups["amount"].Captures[i].Value, CultureInfo.InvariantCulture);
            total += match.Groups["unit"].Captures[i].Value switch
            {
                "ms" => amount,
                "s" => amount * 1_000,
                "m" => amount * 60_000,
                "h" => amount * 3_600_000,
                _ => amount * 86_400_000,
            };
        }
        if (total > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>The shortest exact spelling in whole units, for logs: 10s, 1m30s, 250ms.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{(long)duration.TotalMilliseconds}ms";
        }
        var parts = new List<string>();
        if (duration.Days > 0) parts.Add($"{duration.Days}d");
        if (duration.Hours > 0) parts.Add($"{duration.Hours}h");
        if (duration.Minutes > 0) parts.Add($"{duration.Minutes}m");
        if (duration.Seconds > 0 || parts.Count == 0) parts.Add($"{duration.Seconds}s");
        if (duration.Milliseconds > 0) parts.Add($"{duration.Milliseconds}ms");
        return string.Concat(parts);
    }
}
