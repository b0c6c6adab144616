using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// The Enrolment service: hosts without a certificate fetch the CA to check its fingerprint, then
/// enrol with a token. The CA folder is the one the collector's CA file is in; issuing there needs
/// ca-key.pem, and the collector must be able to write the folder.
/// </summary>
public sealed class EnrolmentService(IOptions<CollectorOptions> options, TimeProvider time, ILogger<EnrolmentService> log) : Protos.V1.Enrolment.EnrolmentBase
{
    private string Directory => options.Value.CaDirectory;

    public override Task<AuthorityReply> Authority(AuthorityRequest request, ServerCallContext context) =>
        Task.FromResult(new AuthorityReply { Certificate = Convert.ToBase64String(options.Value.Tls.LoadAuthority().RawData) });

    public override Task<EnrolReply> Enrol(EnrolRequest request, ServerCallContext context)
    {
        var key = CertificateRequests.KeyOf(request.CertificateRequest, "certificate_request");
        try
        {
            var (certificate, waiting) = HostEnrolment.Enrol(Directory, request.Token, request.HostName, key, time.GetUtcNow());
            if (certificate is null)
            {
                log.LogInformation("Enrolment of {Host} ({Peer}) waits for an admin", request.HostName, context.Peer);
                return Task.FromResult(new EnrolReply { Waiting = waiting });
            }
            log.LogInformation("Enrolled {Host} ({Peer})", request.HostName, context.Peer);
            return Task.FromResult(new EnrolReply { Certificate = Convert.ToBase64String(certificate) });
        }
        catch (EnrolmentRefusedException e)
        {
            log.LogWarning("Refused the enrolment of {Host} ({Peer}): {Reason}", request.HostName, context.Peer, e.Message);
            throw new RpcException(new Status(e.Status, e.Message));
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException)
        {
            log.LogError("Enrolment of {Host} failed on the collector: {Reason}", request.HostName, e.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the collector cannot issue certificates: {e.Message}"));
        }
    }

    public override Task<RenewReply> Renew(RenewRequest request, ServerCallContext context)
    {
        var presented = context.GetHttpContext().Connection.ClientCertificate;
        if (CallerIdentity.Of(context) is not { Role: Protos.Security.ClusterTrust.AgentRole } caller || presented is null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "only an agent renews, with its current certificate; people and scripts get a new token or certificate from an admin"));
        }
        var key = CertificateRequests.KeyOf(request.CertificateRequest, "certificate_request");
        try
        {
            var renewed = HostEnrolment.Renew(Directory, caller.Name, presented, key, time.GetUtcNow());
            log.LogInformation("Renewed the certificate of {Host}: serial {Old} replaced", caller.Name, presented.SerialNumber);
            return Task.FromResult(new RenewReply { Certificate = Convert.ToBase64String(renewed) });
        }
        catch (EnrolmentRefusedException e)
        {
            throw new RpcException(new Status(e.Status, e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException)
        {
            log.LogError("Renewal for {Host} failed on the collector: {Reason}", caller.Name, e.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the collector cannot issue certificates: {e.Message}"));
        }
    }
}
