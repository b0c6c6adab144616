using DaemonNet.Collector.Tokens;
using DaemonNet.Protos.Security;
using Grpc.Core;

namespace DaemonNet.Collector.Certificates;

public static class CallerIdentity
{
    /// <summary>The caller, or null on a collector running --insecure (no certificates at all) or when the call showed no credential.</summary>
    public static Caller? Of(ServerCallContext context) => Of(context.GetHttpContext());

    /// <summary>The caller of a request: its client certificate's, else its valid bearer token's; null when it showed neither.</summary>
    public static Caller? Of(HttpContext context) =>
        context.Connection.ClientCertificate is { } certificate
            ? ClusterTrust.Identity(certificate) switch { var (name, role) => new Caller(name, role, certificate.SerialNumber) }
            : context.Features.Get<TokenCheck>()?.Caller;

    /// <summary>Why the request's bearer token was refused; null when it showed none, or a valid one.</summary>
    public static string? TokenRefusal(HttpContext context) => context.Features.Get<TokenCheck>()?.Refusal;
}
