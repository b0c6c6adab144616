using System.Globalization;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli;

/// <summary>
/// The instants an admin types: ISO 8601 (<c>2026-11-03T14:05</c>, <c>2026-11-03 14:05:00+01:00</c>,
/// <c>2026-11-03</c>; without a zone it is local time), relative (<c>90s ago</c>, <c>15m ago</c>,
/// <c>2h ago</c>, <c>3d ago</c>, <c>1h30m ago</c>) or <c>now</c>.
/// </summary>
internal static partial class TimeExpression
{
    public const string AcceptedForms =
        "use ISO 8601 such as 2026-11-03T14:05, '2026-11-03 14:05:00+01:00' or 2026-11-03 (no zone means local time), " +
        "or a relative time such as 90s ago, 15m ago, 2h ago, 3d ago, or now";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?<zone>Z|[+-]\d{2}:?\d{2})?$", RegexOptions.IgnoreCase, RegexTimeout.Milliseconds)]
    private static partial Regex IsoPattern();

    public static bool TryParse(string text, DateTimeOffset now, TimeZoneInfo localZone, out DateTimeOffset instant)
    {
        instant = default;
        text = text.Trim();
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            instant = now;
            return true;
        }
        if (text.EndsWith(" ago", StringComparison.OrdinalIgnoreCase))
        {
            if (!DurationText.TryParse(text[..^4], out var age) || age > now - DateTimeOffset.UnixEpoch)
            {
                return false;
            }
            instant = now - age;
            return true;
        }
        var match = IsoPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }
        if (match.Groups["zone"].Success)
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
        }
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }
        instant = new DateTimeOffset(local, localZone.GetUtcOffset(local));
        return true;
    }
}
