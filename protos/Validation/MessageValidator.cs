using System.Collections;
using System.Globalization;
using System.Net;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Protos.Validation;

/// <summary>
/// Checks a received message, field by field and to any depth, against <see cref="WireLimits"/>.
/// The answer is one sentence naming the first field that is out of bounds, by its path
/// (<c>domains[3].nics[0].mac</c>), or null. A field the table does not know is itself refused,
/// so that a field added to the contract cannot go unbounded.
/// </summary>
public static class MessageValidator
{
    public static string? Problem(IMessage message) => Walk(message, "");

    private static string? Walk(IMessage message, string path)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var where = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            if (WireLimits.For(field.FullName) is not { } limit)
            {
                return $"{where} has no declared limit; the collector does not accept it";
            }
            var problem = field.IsRepeated
                ? List(field, limit, (IList)field.Accessor.GetValue(message), where)
                : field.FieldType != FieldType.Message || field.Accessor.HasValue(message)
                    ? Value(field, limit, field.Accessor.GetValue(message), where)
                    : null;
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? List(FieldDescriptor field, FieldLimit limit, IList items, string where)
    {
        if (items.Count > limit.MaxCount)
        {
            return $"{where}: {items.Count} entries, more than the {limit.MaxCount} allowed";
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (Value(field, limit, items[i]!, $"{where}[{i}]") is { } problem)
            {
                return problem;
            }
        }
        return limit.UniqueBy is { } key ? Duplicate(field, items, key, where) : null;
    }

    private static string? Duplicate(FieldDescriptor field, IList items, string key, string where)
    {
        var keyField = field.MessageType.FindFieldByName(key)
            ?? throw new InvalidOperationException($"{field.FullName} is declared unique by '{key}', which {field.MessageType.Name} lacks");
        var seen = new Dictionary<object, int>();
        for (var i = 0; i < items.Count; i++)
        {
            var value = keyField.Accessor.GetValue((IMessage)items[i]!);
            if (!seen.TryAdd(value, i))
            {
                return $"{where}[{i}].{key} '{Shorten(value.ToString() ?? "")}' is already {where}[{seen[value]}].{key}; each may appear once";
            }
        }
        return null;
    }

    private static string? Value(FieldDescriptor field, FieldLimit limit, object value, string where) => value switch
    {
        string text => Text(limit, text, where),
        Timestamp time => Time(time, where),
        Duration span => Span(limit, span, where),
        IMessage nested => Walk(nested, where),
        uint number => Number(limit, number, where),
        ulong number => Number(limit, number, where),
        bool => null,
        System.Enum choice => field.EnumType.FindValueByNumber(Convert.ToInt32(choice, CultureInfo.InvariantCulture)) is null
            ? $"{where} is {Convert.ToInt32(choice, CultureInfo.InvariantCulture)}, which is no {field.EnumType.Name}"
            : null,
        _ => $"{where} has a type ({value.GetType().Name}) the collector does not check, so it does not accept it",
    };

    private static string? Number(FieldLimit limit, ulong number, string where) =>
        number < limit.Min || number > limit.Max ? $"{where} is {number}, outside {limit.Min} to {limit.Max}" : null;

    private static string? Time(Timestamp time, string where)
    {
        if (time.Nanos is < 0 or > 999_999_999 || time.Seconds < WireLimits.EarliestTime.ToUnixTimeSeconds() || time.Seconds >= WireLimits.LatestTime.ToUnixTimeSeconds())
        {
            return $"{where} ({time.Seconds} s, {time.Nanos} ns since 1970) is not a time between {WireLimits.EarliestTime:yyyy-MM-dd} and {WireLimits.LatestTime:yyyy-MM-dd}";
        }
        return null;
    }

    private static string? Span(FieldLimit limit, Duration span, string where)
    {
        var valid = span.Nanos is > -1_000_000_000 and < 1_000_000_000 && (span.Seconds == 0 || span.Nanos == 0 || span.Seconds > 0 == span.Nanos > 0)
            && Math.Abs(span.Seconds) <= (long)TimeSpan.FromDays(3650).TotalSeconds;
        var shortest = limit.ShortestSpan ?? TimeSpan.Zero;
        var longest = limit.LongestSpan ?? TimeSpan.FromDays(3650);
        if (!valid || span.ToTimeSpan() < shortest || span.ToTimeSpan() > longest)
        {
            return $"{where} ({span.Seconds} s, {span.Nanos} ns) is not a duration from {DurationText.Format(shortest)} to {DurationText.Format(longest)}";
        }
        return null;
    }

    private static string? Text(FieldLimit limit, string text, string where)
    {
        if (text.Length > limit.MaxLength)
        {
            return $"{where} is {text.Length} characters long, more than the {limit.MaxLength} allowed";
        }
        if (text.Length == 0)
        {
            return limit.MayBeEmpty ? null : $"{where} is empty";
        }
        return limit.Format switch
        {
            TextFormat.HostName when !HostNames.IsValid(text) => $"{where} '{Shorten(text)}' is not a host name ({HostNames.Rule})",
            TextFormat.Mac when !(MacAddressText.TryNormalize(text, out var mac) && mac == text) =>
                $"{where} '{Shorten(text)}' is not a MAC address in the form 52:54:00:ab:cd:ef",
            TextFormat.MacAnySpelling when !MacAddressText.TryNormalize(text, out _) =>
                $"{where} '{Shorten(text)}' is not a MAC address (write it as 52:54:00:12:34:56)",
            TextFormat.Ip when !(IPAddress.TryParse(text, out var ip) && ip.ToString() == text) =>
                $"{where} '{Shorten(text)}' is not an IP address in canonical form",
            TextFormat.Address when !IPAddress.TryParse(text, out _) => $"{where} '{Shorten(text)}' is not an IP address",
            TextFormat.Cidr when !IsCidr(text) => $"{where} '{Shorten(text)}' is not an IP address with a prefix length, such as 192.168.122.1/24",
            TextFormat.Uuid when !Guid.TryParseExact(text, "D", out _) => $"{where} '{Shorten(text)}' is not a uuid",
            _ when text.Any(char.IsControl) => $"{where} contains a control character (U+{(int)text.First(char.IsControl):X4})",
            _ => null,
        };
    }

    private static bool IsCidr(string text)
    {
        var slash = text.IndexOf('/');
        return slash > 0
            && IPAddress.TryParse(text[..slash], out var address)
            && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            && length <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }

    private static string Shorten(string value)
    {
        var visible = new string(value.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return value.Length <= 64 ? visible : visible + "…";
    }
}
