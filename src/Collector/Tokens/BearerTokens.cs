using System.Globalization;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Operations;

namespace DaemonNet.Collector.Tokens;

/// <summary>
/// The token list as the running collector holds it: read at start, and again when the file
/// changes or on SIGHUP, so that a token issued or revoked counts at once. A list that no longer
/// parses is logged and the previous one kept: a typo must not un-revoke.
/// </summary>
public sealed class BearerTokens : IDisposable
{
    private readonly string path;
    private readonly ILogger<BearerTokens> log;
    private readonly WatchedFile watched;
    private readonly Lock reloading = new();
    private volatile Dictionary<string, IssuedToken> byId = new(StringComparer.Ordinal);

    public BearerTokens(string path, ILogger<BearerTokens> log)
    {
        this.path = path;
        this.log = log;
        Reload();
        watched = new WatchedFile(path, Reload);
    }

    /// <summary>Who the token speaks for, or why it is refused.</summary>
    public TokenCheck Check(string token, DateTimeOffset now)
    {
        if (AccessToken.IdOf(token, AccessToken.Bearer) is not { } id)
        {
            return TokenCheck.Refused("the bearer token is not a DaemonNet token (dnt_ followed by 72 characters): give it whole, as 'certs token issue' printed it");
        }
        if (!byId.TryGetValue(id, out var issued) || !AccessToken.Matches(token, issued.Hash))
        {
            return TokenCheck.Refused($"the bearer token {id} is not one this collector issued; ask an admin for one ('daemonnet-collector certs token issue')");
        }
        if (issued.RevokedAt is { } revokedAt)
        {
            return TokenCheck.Refused($"the token {id} of {issued.Name} was revoked at {Time(revokedAt)}; ask an admin for a new one");
        }
        if (now >= issued.ExpiresAt)
        {
            return TokenCheck.Refused($"the token {id} of {issued.Name} expired at {Time(issued.ExpiresAt)}; ask an admin for a new one");
        }
        return new TokenCheck(new Caller(issued.Name, issued.Role, $"token {id}", "token"), null);
    }

    /// <summary>Whether the list holds any token, valid or not: the collector has been given tokens to judge.</summary>
    public bool AnyIssued => byId.Count > 0;

    private void Reload()
    {
        lock (reloading)
        {
            try
            {
                var tokens = TokenList.Read(path).ToDictionary(t => t.Id, StringComparer.Ordinal);
                if (tokens.Count != byId.Count || tokens.Values.Any(t => !byId.TryGetValue(t.Id, out var known) || known != t))
                {
                    log.LogInformation("Token list {Path}: {Count} tokens, {Valid} of them valid", path, tokens.Count, tokens.Values.Count(t => t.RevokedAt is null));
                }
                byId = tokens;
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                log.LogError("Token list {Path} not read, the previous one stays in force: {Reason}", path, e.Message);
            }
        }
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public void Dispose() => watched.Dispose();
}
