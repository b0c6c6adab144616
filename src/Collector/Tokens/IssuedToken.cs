namespace DaemonNet.Collector.Tokens;

/// <summary>A token as the token list keeps it: who holds it, in which role, until when, and its hash.</summary>
public sealed record IssuedToken(string Id, string Name, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string Hash)
{
    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}
