using System.Text.RegularExpressions;

namespace DaemonNet.Protos.Formats;

/// <summary>The one spelling of a MAC address in the contract: lower case, colon separated.</summary>
public static partial class MacAddressText
{
    [GeneratedRegex(@"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}\z", RegexOptions.ExplicitCapture, RegexTimeout.Milliseconds)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[0-9a-f]{2}(:[0-9a-f]{2}){5}\z", RegexOptions.ExplicitCapture, RegexTimeout.Milliseconds)]
    private static partial Regex CanonicalPattern();

    /// <summary>Whether the text is a MAC spelled exactly as the contract spells it.</summary>
    public static bool IsCanonical(string text) => CanonicalPattern().IsMatch(text);

    public static bool TryNormalize(string text, out string mac)
    {
        if (Pattern().IsMatch(text))
        {
            mac = text.Replace('-', ':').ToLowerInvariant();
            return true;
        }
        mac = "";
        return false;
    }
}
