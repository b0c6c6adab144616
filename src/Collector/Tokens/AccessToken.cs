using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Tokens;

/// <summary>
/// A bearer token as its holder has it: <c>dnt_ID_SECRET</c>, an 8-hex-digit id that names it in
/// lists and logs and a 256-bit secret. The collector keeps only its SHA-256: the secret is random,
/// so the hash reveals nothing, and a stolen token list lets no one in.
/// </summary>
public static partial class AccessToken
{
    [GeneratedRegex(@"^dnt_(?<id>[0-9a-f]{8})_[0-9a-f]{64}\z", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Pattern();

    /// <summary>A new token and its id.</summary>
    public static (string Token, string Id) New()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return ($"dnt_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}", id);
    }

    /// <summary>The token's id, or null when the text is not a token's shape.</summary>
    public static string? IdOf(string token) => Pattern().Match(token) is { Success: true } match ? match.Groups["id"].Value : null;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Whether the token hashes to the stored hash, compared in constant time.</summary>
    public static bool Matches(string token, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));
}
