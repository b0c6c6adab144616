using System.Globalization;
using System.Text.RegularExpressions;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Tokens;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Validation;
using Grpc.Core;

namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// The enrolment tokens: <c>enrolment.txt</c> beside the CA, one line per token
/// (<c>ID HOSTS USES-LEFT EXPIRES MODE CERT-LIFETIME REVOKED SHA256</c>, where MODE is issue or
/// approve, with +reenrol when a host with a valid certificate may enrol again). Only hashes are kept.
/// </summary>
public static class EnrolmentTokens
{
    public const string FileName = "enrolment.txt";

    public static readonly TimeSpan LongestLife = TimeSpan.FromDays(30);

    private const string Header = "# Enrolment tokens: id hosts uses-left expires mode cert-lifetime revoked sha256 (written by 'daemonnet-collector enrol')\n";

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public static IReadOnlyList<EnrolmentToken> Read(string path) => ListFile.Read(path, "ID HOSTS USES-LEFT EXPIRES MODE CERT-LIFETIME REVOKED SHA256", parts =>
        parts.Length == 8 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uses) && Instant(parts[3], out var expires)
        && parts[4] is "approve" or "issue" or "approve+reenrol" or "issue+reenrol" && DurationText.TryParse(parts[5], out var lifetime)
        && (parts[6] == "-" || Instant(parts[6], out _)) && parts[7].Length == 64
            ? new EnrolmentToken(parts[0], parts[1], uses, expires, parts[4].StartsWith("approve", StringComparison.Ordinal), parts[4].EndsWith(ReenrolMode, StringComparison.Ordinal),
                lifetime, parts[6] == "-" ? null : DateTimeOffset.Parse(parts[6], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), parts[7])
            : null);

    private const string ReenrolMode = "+reenrol";

    /// <summary>Creates a token; returns it, the only time it is ever shown, with what is kept of it.</summary>
    public static (string Token, EnrolmentToken Created) Create(string directory, string hosts, int uses, TimeSpan lifetime, bool approve,
        TimeSpan certificateLifetime, DateTimeOffset now, bool allowReenrol = false)
    {
        if (hosts.Length == 0 || hosts.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*' or '?')))
        {
            throw new ArgumentException($"--hosts '{hosts}' is not a host name pattern: letters, digits, '.', '-', '_', with * for any run of them and ? for one");
        }
        if (uses is < 1 or > 10_000)
        {
            throw new ArgumentException($"--uses {uses} is not between 1 and 10000");
        }
        if (lifetime <= TimeSpan.Zero || lifetime > LongestLife)
        {
            throw new ArgumentException($"--ttl: an enrolment token lives between a second and {LongestLife.Days} days; {DurationText.Format(lifetime)} is outside that");
        }
        if (certificateLifetime < TimeSpan.FromSeconds(30))
        {
            throw new ArgumentException($"--cert-ttl {DurationText.Format(certificateLifetime)} is shorter than 30 s");
        }
        // Tokens belong to a cluster: without its CA folder, a typo in --dir would start a list no collector reads.
        _ = ClusterCertificates.AuthorityFingerprint(directory);
        var path = PathIn(directory);
        var tokens = Read(path).ToList();
        var (token, id) = AccessToken.New(AccessToken.Enrolment);
        var created = new EnrolmentToken(id, hosts, uses, now + lifetime, approve, allowReenrol, certificateLifetime, null, AccessToken.Hash(token));
        tokens.Add(created);
        Write(path, tokens);
        return (token, created);
    }

    /// <summary>Revokes a token by its id.</summary>
    public static EnrolmentToken Revoke(string directory, string id, DateTimeOffset now)
    {
        var path = PathIn(directory);
        var tokens = Read(path).ToList();
        var index = tokens.FindIndex(t => t.Id == id && t.RevokedAt is null);
        if (index < 0)
        {
            throw new InvalidOperationException($"no enrolment token {id} to revoke in {path}: 'enrol list --dir {directory}' shows the ids");
        }
        tokens[index] = tokens[index] with { RevokedAt = now };
        Write(path, tokens);
        return tokens[index];
    }

    /// <summary>
    /// Whether any enrolment token was ever created in the CA folder, valid or not: the list exists
    /// from the first one on (revoking keeps it). Asked for each connection without a certificate,
    /// so it looks only whether the file is there.
    /// </summary>
    public static bool AnyCreated(string directory) => File.Exists(PathIn(directory));

    /// <summary>
    /// The token, checked for this host name: it must be known, unrevoked, unexpired and admit the
    /// name. <paramref name="spend"/> uses it once (it must have uses left); a host asking again
    /// about its waiting request spends nothing.
    /// </summary>
    public static EnrolmentToken Check(string directory, string token, string hostName, bool spend, DateTimeOffset now)
    {
        var path = PathIn(directory);
        var tokens = Read(path).ToList();
        var id = AccessToken.IdOf(token, AccessToken.Enrolment)
            ?? throw new EnrolmentRefusedException(StatusCode.Unauthenticated, "the enrolment token is not one (dne_ followed by 72 characters): give it whole, as 'enrol create' printed it");
        var index = tokens.FindIndex(t => t.Id == id);
        if (index < 0 || !AccessToken.Matches(token, tokens[index].Hash))
        {
            throw new EnrolmentRefusedException(StatusCode.Unauthenticated, $"the enrolment token {id} is not one this collector created; ask an admin for one ('daemonnet-collector enrol create')");
        }
        var found = tokens[index];
        var refusal = found switch
        {
            { RevokedAt: { } at } => $"the enrolment token {id} was revoked at {Format(at)}",
            _ when now >= found.ExpiresAt => $"the enrolment token {id} expired at {Format(found.ExpiresAt)}",
            _ when spend && found.UsesLeft == 0 => $"the enrolment token {id} is used up: every host it admitted has enrolled",
            _ when !Admits(found.Hosts, hostName) => $"the enrolment token {id} admits hosts '{found.Hosts}', and '{hostName}' is not one",
            _ => null,
        };
        if (refusal is not null)
        {
            throw new EnrolmentRefusedException(StatusCode.PermissionDenied, $"{refusal}; ask an admin for a new one ('daemonnet-collector enrol create')");
        }
        if (spend)
        {
            tokens[index] = found with { UsesLeft = found.UsesLeft - 1 };
            Write(path, tokens);
        }
        return tokens[index];
    }

    private static bool Admits(string pattern, string hostName) =>
        HostNames.IsValid(hostName)
        && Regex.IsMatch(hostName, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(RegexTimeout.Milliseconds));

    private static void Write(string path, IEnumerable<EnrolmentToken> tokens) =>
        ListFile.Write(path, Header, tokens, t =>
            $"{t.Id} {t.Hosts} {t.UsesLeft.ToString(CultureInfo.InvariantCulture)} {Format(t.ExpiresAt)} {(t.Approve ? "approve" : "issue")}{(t.AllowsReenrol ? ReenrolMode : "")} "
            + $"{DurationText.Format(t.CertificateLifetime)} {(t.RevokedAt is { } at ? Format(at) : "-")} {t.Hash}", PrivateFiles.OwnerReadWrite);

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static bool Instant(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
}
