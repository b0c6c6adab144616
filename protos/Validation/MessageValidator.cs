using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Net;
using DaemonNet.Protos.Formats;
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
    public static string? Problem(IMessage message) => Walk(message, null);

    /// <summary>
    /// Where in the message a value sits. Paths are spelled out only for a refusal: a valid
    /// message, the usual case, costs no strings.
    /// </summary>
    private sealed record Place(Place? Parent, string Field, int Index = -1)
    {
        public override string ToString() =>
            (Parent is null ? "" : Parent + ".") + Field + (Index >= 0 ? $"[{Index.ToString(CultureInfo.InvariantCulture)}]" : "");
    }

    private static string? Walk(IMessage message, Place? parent)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (WireLimits.For(field.FullName) is not { } limit)
            {
                return $"{new Place(parent, field.Name)} has no declared limit; the collector does not accept it";
            }
            var problem = field.IsRepeated
                ? List(field, limit, (IList)field.Accessor.GetValue(message), parent)
                : field.FieldType != FieldType.Message || field.Accessor.HasValue(message)
                    ? Value(field, limit, field.Accessor.GetValue(message), parent, -1)
                    : null;
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? List(FieldDescriptor field, FieldLimit limit, IList items, Place? parent)
    {
        if (items.Count > limit.MaxCount)
        {
            return $"{new Place(parent, field.Name)}: {items.Count} entries, more than the {limit.MaxCount} allowed";
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (Value(field, limit, items[i]!, parent, i) is { } problem)
            {
                return problem;
            }
        }
        return limit.UniqueBy is { } key ? Duplicate(field, items, key, parent) : null;
    }

    private static string? Duplicate(FieldDescriptor field, IList items, string key, Place? parent)
    {
        var keyField = field.MessageType.FindFieldByName(key)
            ?? throw new InvalidOperationException($"{field.FullName} is declared unique by '{key}', which {field.MessageType.Name} lacks");
        var seen = new Dictionary<object, int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var value = keyField.Accessor.GetValue((IMessage)items[i]!);
            if (!seen.TryAdd(value, i))
            {
                return $"{new Place(parent, field.Name, i)}.{key} '{Shorten(value.ToString() ?? "")}' is already {new Place(parent, field.Name, seen[value])}.{key}; each may appear once";
            }
        }
        return null;
    }

    private static string? Value(FieldDescriptor field, FieldLimit limit, object value, Place? parent, int index)
    {
        var problem = value switch
        {
            string text => Text(limit, text),
            Timestamp time => Time(time),
            Duration span => Span(limit, span),
            IMessage nested => null,
            uint number => Number(limit, number),
            ulong number => Number(limit, number),
            bool => null,
            System.Enum choice => field.EnumType.FindValueByNumber(Convert.ToInt32(choice, CultureInfo.InvariantCulture)) is null
                ? $" is {Convert.ToInt32(choice, CultureInfo.InvariantCulture)}, which is no {field.EnumType.Name}"
                : null,
            _ => $" has a type ({value.GetType().Name}) the collector does not check, so it does not accept it",
        };
        if (problem is not null)
        {
            return new Place(parent, field.Name, index) + problem;
        }
        return value is IMessage message and not (Timestamp or Duration) ? Walk(message, new Place(parent, field.Name, index)) : null;
    }

    // Each check below says what is wrong after the field's path, which its caller puts in front.

    private static string? Number(FieldLimit limit, ulong number) =>
        number < limit.Min || number > limit.Max ? $" is {number}, outside {limit.Min} to {limit.Max}" : null;

    private static string? Time(Timestamp time)
    {
        if (time.Nanos is < 0 or > 999_999_999 || time.Seconds < WireLimits.EarliestTime.ToUnixTimeSeconds() || time.Seconds >= WireLimits.LatestTime.ToUnixTimeSeconds())
        {
            return $" ({time.Seconds} s, {time.Nanos} ns since 1970) is not a time between {WireLimits.EarliestTime:yyyy-MM-dd} and {WireLimits.LatestTime:yyyy-MM-dd}";
        }
        return null;
    }

    private static string? Span(FieldLimit limit, Duration span)
    {
        var valid = span.Nanos is > -1_000_000_000 and < 1_000_000_000 && (span.Seconds == 0 || span.Nanos == 0 || span.Seconds > 0 == span.Nanos > 0)
            && Math.Abs(span.Seconds) <= (long)TimeSpan.FromDays(3650).TotalSeconds;
        var shortest = limit.ShortestSpan ?? TimeSpan.Zero;
        var longest = limit.LongestSpan ?? TimeSpan.FromDays(3650);
        if (!valid || span.ToTimeSpan() < shortest || span.ToTimeSpan() > longest)
        {
            return $" ({span.Seconds} s, {span.Nanos} ns) is not a duration from {DurationText.Format(shortest)} to {DurationText.Format(longest)}";
        }
        return null;
    }

    // C0 and C1 control characters, and DEL: what a terminal would act on instead of showing.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Select(c => (char)c).ToArray());

    private static string? Text(FieldLimit limit, string text)
    {
        if (text.Length > limit.MaxLength)
        {
            return $" is {text.Length} characters long, more than the {limit.MaxLength} allowed";
        }
        if (text.Length == 0)
        {
            return limit.MayBeEmpty ? null : " is empty";
        }
        return limit.Format switch
        {
            TextFormat.HostName when !HostNames.IsValid(text) => $" '{Shorten(text)}' is not a host name ({HostNames.Rule})",
            TextFormat.Mac when !MacAddressText.IsCanonical(text) =>
                $" '{Shorten(text)}' is not a MAC address in the form 52:54:00:ab:cd:ef",
            TextFormat.MacAnySpelling when !MacAddressText.TryNormalize(text, out _) =>
                $" '{Shorten(text)}' is not a MAC address (write it as 52:54:00:12:34:56)",
            TextFormat.Ip when !IsCanonicalIp(text) =>
                $" '{Shorten(text)}' is not an IP address in canonical form",
            TextFormat.Address when !IPAddress.TryParse(text, out _) => $" '{Shorten(text)}' is not an IP address",
            TextFormat.Cidr when !IsCidr(text) => $" '{Shorten(text)}' is not an IP address with a prefix length, such as 192.168.122.1/24",
            TextFormat.Uuid when !Guid.TryParseExact(text, "D", out _) => $" '{Shorten(text)}' is not a uuid",
            _ when text.AsSpan().IndexOfAny(ControlCharacters) is var at and >= 0 => $" contains a control character (U+{(int)text[at]:X4})",
            _ => null,
        };
    }

    // Formats into a stack buffer: checking a valid address allocates nothing.
    private static bool IsCanonicalIp(string text)
    {
        Span<char> canonical = stackalloc char[64];
        return IPAddress.TryParse(text, out var ip) && ip.TryFormat(canonical, out var length) && canonical[..length].SequenceEqual(text);
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
        var visible = new string(value.Take(64).Select(c => ControlCharacters.Contains(c) ? '?' : c).ToArray());
        return value.Length <= 64 ? visible : visible + "…";
    }
}
