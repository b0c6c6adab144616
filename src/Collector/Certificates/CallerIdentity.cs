using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Collector.Certificates;

public static class CallerIdentity
{
    /// <summary>The caller, or null on a collector running --insecure (no certificates at all).</summary>
    public static Caller? Of(ServerCallContext context) => Of(context.GetHttpContext());

    /// <summary>The caller of a plain HTTP request (the metrics), or null when it showed no certificate.</summary>
    public static Caller? Of(HttpContext context) =>
        context.Connection.ClientCertificate is { } certificate
            ? ClusterTrust.Identity(certificate) switch { var (name, role) => new Caller(name, role, certificate.SerialNumber) }
            : null;
}
