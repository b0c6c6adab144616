using System.Globalization;

namespace DaemonNet.Protos.Formats;

/// <summary>Bit rates as tc writes them: 800kbit, 100Mbit, 1.5Gbit, or a plain number of bits per second.</summary>
public static class BitRate
{
    public const string AcceptedForms = "a number of bits per second, or with a unit: 800kbit, 100Mbit, 1.5Gbit";

    public static bool TryParse(string text, out double bitsPerSecond)
    {
        bitsPerSecond = 0;
        var number = text.Trim();
        double scale = 1;
        foreach (var (suffix, factor) in new[] { ("kbit", 1e3), ("Mbit", 1e6), ("Gbit", 1e9), ("bit", 1.0) })
        {
            if (number.EndsWith(suffix, StringComparison.Ordinal))
            {
                number = number[..^suffix.Length];
                scale = factor;
                break;
            }
        }
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }
        bitsPerSecond = value * scale;
        return true;
    }

    /// <summary>1.2 Mbit/s, 830 kbit/s, 0 bit/s.</summary>
    public static string Format(double bitsPerSecond) => bitsPerSecond switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e9:0.##} Gbit/s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e6:0.##} Mbit/s"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e3:0.##} kbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond:0} bit/s"),
    };
}
