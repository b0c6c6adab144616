using System.Globalization;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.Validation;

namespace DaemonNet.Collector.Tokens;

/// <summary>
/// The cluster's bearer tokens: <c>tokens.txt</c> beside the CA, one line per token
/// (<c>ID NAME ROLE ISSUED EXPIRES REVOKED SHA256</c>, REVOKED is <c>-</c> while it is not;
/// <c>#</c> starts a comment). It holds hashes only, so it is as readable as the revocation list.
/// </summary>
public static class TokenList
{
    public const string FileName = "tokens.txt";

    /// <summary>The longest a token may live: people and scripts get a new one at least every few years.</summary>
    public static readonly TimeSpan LongestLife = TimeSpan.FromDays(3 * 365);

    private const string Header = "# Bearer tokens the collector accepts: id name role issued expires revoked sha256 (written by 'daemonnet-collector certs token')\n";

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>The tokens in a file; a missing file holds none. Throws <see cref="FormatException"/> naming the line of a malformed entry.</summary>
    public static IReadOnlyList<IssuedToken> Read(string path) => ListFile.Read(path, "ID NAME ROLE ISSUED EXPIRES REVOKED SHA256", parts =>
        parts.Length == 7 && parts[0].Length == 8 && parts[0].All(char.IsAsciiHexDigitLower) && parts[6].Length == 64
        && Instant(parts[3], out var issued) && Instant(parts[4], out var expires) && (parts[5] == "-" || Instant(parts[5], out _))
            ? new IssuedToken(parts[0], parts[1], parts[2], issued, expires, parts[5] == "-" ? null : Parse(parts[5]), parts[6])
            : null);

    /// <summary>Issues a token for a person or script; returns it, the only time it is ever shown, with what is kept of it.</summary>
    public static (string Token, IssuedToken Issued) Issue(string directory, string name, string role, TimeSpan lifetime, DateTimeOffset now)
    {
        if (!HostNames.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a usable name: {HostNames.Rule}");
        }
        if (role != ClusterTrust.ReaderRole)
        {
            throw new ArgumentException(role == ClusterTrust.AgentRole
                ? "a token can never have the role 'agent': an agent proves its host with its own certificate ('certs issue --role agent')"
                : $"'{role}' is not a role a token can have: use reader");
        }
        if (lifetime <= TimeSpan.Zero || lifetime > LongestLife)
        {
            throw new ArgumentException($"a token lives between a second and {LongestLife.Days} days; {lifetime} is outside that");
        }
        RequireAuthority(directory);
        var path = PathIn(directory);
        var tokens = Read(path).ToList();
        var (token, id) = AccessToken.New(AccessToken.Bearer);
        var issued = new IssuedToken(id, name, role, now, now + lifetime, null, AccessToken.Hash(token));
        tokens.Add(issued);
        Write(path, tokens);
        return (token, issued);
    }

    /// <summary>Revokes every valid token of a name, or the one with an id; returns those revoked.</summary>
    public static IReadOnlyList<IssuedToken> Revoke(string directory, string nameOrId, DateTimeOffset now)
    {
        var path = PathIn(directory);
        var tokens = Read(path).ToList();
        var revoked = tokens.Where(t => t.RevokedAt is null && (t.Name == nameOrId || t.Id == nameOrId)).ToList();
        if (revoked.Count == 0)
        {
            throw new InvalidOperationException($"no token of '{nameOrId}' to revoke in {path}: 'certs token list --dir {directory}' shows names and ids");
        }
        Write(path, [.. tokens.Select(t => revoked.Contains(t) ? t with { RevokedAt = now } : t)]);
        return [.. revoked.Select(t => t with { RevokedAt = now })];
    }

    // Tokens belong to a cluster: without its CA folder, a typo in --dir would start a list no collector reads.
    private static void RequireAuthority(string directory)
    {
        if (!File.Exists(Path.Combine(directory, ClusterCertificates.AuthorityName + ".pem")))
        {
            throw new InvalidOperationException($"no CA in {directory} (ca.pem): tokens live beside the cluster CA; give its folder, or create it with 'daemonnet-collector certs init --dir {directory}'");
        }
    }

    private static void Write(string path, IEnumerable<IssuedToken> tokens) =>
        ListFile.Write(path, Header, tokens, t => $"{t.Id} {t.Name} {t.Role} {Format(t.IssuedAt)} {Format(t.ExpiresAt)} {(t.RevokedAt is { } at ? Format(at) : "-")} {t.Hash}",
            PrivateFiles.OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static bool Instant(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
