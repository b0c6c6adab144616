using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Collector.Certificates;

/// <summary>Who a call speaks for: the name, role and serial number of its client certificate, which the TLS handshake already checked against the cluster CA.</summary>
public sealed record Caller(string Name, string Role, string Serial)
{
    public override string ToString() => $"{Role} {Name}";
}

public static class CallerIdentity
{
    /// <summary>The caller, or null on a collector running --insecure (no certificates at all).</summary>
    public static Caller? Of(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate is { } certificate
            ? ClusterTrust.Identity(certificate) switch { var (name, role) => new Caller(name, role, certificate.SerialNumber) }
            : null;
}
