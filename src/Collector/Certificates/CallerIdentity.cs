using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Collector.Certificates;

public static class CallerIdentity
{
    /// <summary>The caller, or null on a collector running --insecure (no certificates at all).</summary>
    public static Caller? Of(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate is { } certificate
            ? ClusterTrust.Identity(certificate) switch { var (name, role) => new Caller(name, role, certificate.SerialNumber) }
            : null;
}
