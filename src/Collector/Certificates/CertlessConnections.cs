using DaemonNet.Collector.Enrolling;
using DaemonNet.Collector.Tokens;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Whether a TLS connection that showed no client certificate is let in. Such a caller can be
/// answered only through open reads, a bearer token or an enrolment token. A collector that has
/// never been given a token (and whose reads are closed) closes such a connection right after the
/// handshake, as one that requires certificates does. Once tokens exist, even revoked or expired
/// ones, the connection stays, so that each call gets a sentence saying what is wrong with it.
/// </summary>
public sealed class CertlessConnections(IOptions<CollectorOptions> options, BearerTokens tokens, ILogger<CertlessConnections> log)
{
    public bool Admits(System.Net.EndPoint? from)
    {
        var settings = options.Value;
        if (settings.OpenReads || tokens.AnyIssued || EnrolmentTokens.AnyCreated(settings.CaDirectory))
        {
            return true;
        }
        log.LogInformation("Closed a connection from {From} that showed no client certificate: reads are not open and no token was ever issued", from);
        return false;
    }
}
