namespace DaemonNet.Collector.Tokens;

/// <summary>
/// A request's bearer token as checked on arrival: the caller it speaks for, or the sentence that
/// refuses it. Kept as a feature of the request, where <see cref="Certificates.CallerIdentity"/> finds it.
/// </summary>
public sealed record TokenCheck(Certificates.Caller? Caller, string? Refusal)
{
    public static TokenCheck Refused(string reason) => new(null, reason);
}
