using System.Text.RegularExpressions;

namespace DaemonNet.Protos.Validation;

/// <summary>
/// The one rule for the name a host goes by, which the agent reports, the collector accepts and a
/// certificate carries: letters, digits, '.', '-' and '_', starting with a letter or digit, at
/// most 253 characters (a DNS name's limit).
/// </summary>
public static partial class HostNames
{
    public const int MaxLength = 253;

    public const string Rule = "letters, digits, '.', '-' and '_', starting with a letter or digit, at most 253 characters";

    // \z, not $: "$" would also match before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);
}
