using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Collector.Certificates;

/// <summary>Who a call speaks for: the name and role in its client certificate, which the TLS handshake already checked against the cluster CA.</summary>
public sealed record Caller(string Name, string Role);

public static class CallerIdentity
{
    /// <summary>The caller, or null on a collector running --insecure (no certificates at all).</summary>
    public static Caller? Of(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate is { } certificate
            ? ClusterTrust.Identity(certificate) switch { var (name, role) => new Caller(name, role) }
            : null;

    /// <summary>Refuses a caller whose role is not one of those allowed, naming both.</summary>
    public static void Require(ServerCallContext context, string action, params string[] roles)
    {
        if (Of(context) is { } caller && !roles.Contains(caller.Role))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"the certificate of {caller.Name} has the role '{caller.Role}', which may not {action}; that needs a {string.Join(" or ", roles)} certificate"));
        }
    }
}
