using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using Grpc.Core;

namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// What the collector does with a host's enrolment request: issue its certificate, keep it waiting
/// for an admin, or refuse it with a sentence. A host that asks again with the same key (it lost
/// the reply, or waits for approval) gets the same answer and spends no further use of its token.
/// </summary>
public static class HostEnrolment
{
    // The CA folder's files are read and rewritten whole; one request at a time keeps each change whole.
    private static readonly Lock Files = new();

    /// <summary>The host's certificate (DER), or null and a sentence saying what it waits for.</summary>
    public static (byte[]? Certificate, string Waiting) Enrol(string directory, string token, string hostName, PublicKey key, DateTimeOffset now)
    {
        lock (Files)
        {
            using var current = ClusterCertificates.Current(directory, hostName);
            if (current is not null && SameKey(current.PublicKey, key))
            {
                EnrolmentTokens.Check(directory, token, hostName, spend: false, now);
                return (current.RawData, "");
            }
            if (PendingRequests.Find(directory, hostName) is { } pending && SameKey(pending.Key, key))
            {
                if (EnrolmentTokens.Check(directory, token, hostName, spend: false, now).Id != pending.TokenId)
                {
                    throw new EnrolmentRefusedException(StatusCode.PermissionDenied, $"the request of {hostName} waiting for approval came with another enrolment token");
                }
                if (pending.Denied)
                {
                    PendingRequests.Remove(directory, hostName);
                    throw new EnrolmentRefusedException(StatusCode.PermissionDenied,
                        $"an admin denied the enrolment of {hostName} ('certs deny'); ask them why, then enrol again");
                }
                return (null, Waiting(hostName));
            }
            // The token is judged before the refusal, so that nobody without one learns which hosts have certificates.
            if (current is not null && IsValid(directory, current, now) && !EnrolmentTokens.Check(directory, token, hostName, spend: false, now).AllowsReenrol)
            {
                throw new EnrolmentRefusedException(StatusCode.AlreadyExists,
                    $"{hostName} already has a valid certificate (serial {current.SerialNumber}, until {current.NotAfter:yyyy-MM-dd}): to enrol the host again, "
                    + $"revoke it first ('daemonnet-collector certs revoke --name {hostName}'), or use a token made with 'enrol create --allow-reenrol'");
            }
            var used = EnrolmentTokens.Check(directory, token, hostName, spend: true, now);
            if (used.Approve)
            {
                PendingRequests.Add(directory, hostName, used.Id, key, used.CertificateLifetime, now);
                return (null, Waiting(hostName));
            }
            using var issued = ClusterCertificates.IssueForKey(directory, hostName, ClusterTrust.AgentRole, key, used.CertificateLifetime, now);
            return (issued.RawData, "");
        }
    }

    /// <summary>
    /// A new certificate (DER) for an agent's new key, as long-lived as the one it replaces, which
    /// is revoked. Only the host's current certificate renews: an older one, still valid, does not.
    /// </summary>
    public static byte[] Renew(string directory, string hostName, X509Certificate2 presented, PublicKey key, DateTimeOffset now)
    {
        lock (Files)
        {
            using var current = ClusterCertificates.Current(directory, hostName);
            if (current is null || !string.Equals(current.SerialNumber, presented.SerialNumber, StringComparison.OrdinalIgnoreCase))
            {
                throw new EnrolmentRefusedException(StatusCode.FailedPrecondition,
                    $"the certificate of {hostName} with serial {presented.SerialNumber} is not its current one ({current?.SerialNumber ?? "none in the CA folder"}): only that renews");
            }
            using var renewed = ClusterCertificates.IssueForKey(directory, hostName, ClusterTrust.AgentRole, key, ClusterCertificates.LifetimeOf(presented), now);
            return renewed.RawData;
        }
    }

    private static string Waiting(string hostName) =>
        $"the request of {hostName} waits for an admin: 'daemonnet-collector certs approve {hostName}' (or 'certs deny {hostName}') on the collector";

    private static bool IsValid(string directory, X509Certificate2 certificate, DateTimeOffset now) =>
        now < new DateTimeOffset(certificate.NotAfter)
        && !RevocationList.Read(ClusterCertificates.RevocationPath(directory)).Any(r => string.Equals(r.Serial, certificate.SerialNumber, StringComparison.OrdinalIgnoreCase));

    private static bool SameKey(PublicKey one, PublicKey other) => one.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(other.ExportSubjectPublicKeyInfo());
}
