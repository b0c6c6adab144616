using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Protos.Validation;

/// <summary>
/// The one rule for the name a host goes by, which the agent reports, the collector accepts and a
/// certificate carries: a DNS name's shape, of letters, digits, '-' and '_', labels of at most 63
/// characters separated by dots, at most 253 characters in all, starting with a letter or digit.
/// </summary>
public static partial class HostNames
{
    public const int MaxLength = 253;

    public const string Rule = "letters, digits, '-' and '_' in dot-separated labels of at most 63 characters, starting with a letter or digit, at most 253 characters";

    // \z, not $: "$" would also match before a final newline.
    [GeneratedRegex(@"^(?=.{1,253}\z)[A-Za-z0-9][A-Za-z0-9_-]{0,62}(?:\.[A-Za-z0-9_-]{1,63})*\z", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);
}
