using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Tokens;

/// <summary>
/// A token as its holder has it: <c>KIND_ID_SECRET</c>, where KIND is <see cref="Bearer"/> or
/// <see cref="Enrolment"/>, ID is 8 hex digits that name it in lists and logs, and SECRET is 256
/// random bits. The collector keeps only its SHA-256: the secret is random, so the hash reveals
/// nothing, and a stolen token list lets no one in.
/// </summary>
public static partial class AccessToken
{
    /// <summary>A person's or script's bearer token.</summary>
    public const string Bearer = "dnt";

    /// <summary>A one-time token with which hosts enrol.</summary>
    public const string Enrolment = "dne";

    [GeneratedRegex(@"^(?<kind>dn[te])_(?<id>[0-9a-f]{8})_[0-9a-f]{64}\z", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Pattern();

    /// <summary>A new token of a kind, and its id.</summary>
    public static (string Token, string Id) New(string kind)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return ($"{kind}_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}", id);
    }

    /// <summary>The token's id, or null when the text is not the shape of a token of that kind.</summary>
    public static string? IdOf(string token, string kind) =>
        Pattern().Match(token) is { Success: true } match && match.Groups["kind"].Value == kind ? match.Groups["id"].Value : null;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Whether the token hashes to the stored hash, compared in constant time.</summary>
    public static bool Matches(string token, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));
}
