using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Ingestion;
using DaemonNet.Collector.Operations;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.Validation;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Calls;

/// <summary>
/// The door every call passes: a revoked certificate is refused, a role may call only the
/// services the <see cref="RoleTable"/> gives it, and a request is checked against the contract's
/// limits before any handler sees it. Stream messages are checked by their service, one by one.
/// Every kind of call passes it, including kinds no RPC uses yet, so that no later RPC gets around it.
/// </summary>
public sealed class AccessInterceptor(RevokedCertificates revoked, RejectionCounter rejections, CollectorMetrics metrics, IOptions<CollectorOptions> options,
    ILogger<AccessInterceptor> log)
    : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        Check(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        Check(request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>
    /// Refuses a revoked certificate, a bearer token that is not valid, or a caller whose role may
    /// not call this service. --insecure has no credentials to check; with open reads, a caller
    /// without one may ask questions only.
    /// </summary>
    private void Admit(ServerCallContext context)
    {
        var service = ServiceOf(context.Method);
        if (options.Value.Insecure)
        {
            return;
        }
        if (CallerIdentity.Of(context) is not { } caller)
        {
            if (RoleTable.IsOpenToAnyone(service))
            {
                return;
            }
            if (CallerIdentity.TokenRefusal(context.GetHttpContext()) is { } refusal)
            {
                Count(context, CollectorMetrics.Refusal.Token);
                log.LogWarning("Refused a bearer token ({Peer}) calling {Method}: {Reason}", context.Peer, context.Method, refusal);
                throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
            }
            if (options.Value.OpenReads && RoleTable.IsOpenRead(service))
            {
                return;
            }
            Count(context, CollectorMetrics.Refusal.NoCertificate);
            log.LogWarning("Refused a caller without a certificate or token ({Peer}) calling {Method}", context.Peer, context.Method);
            throw new RpcException(new Status(StatusCode.Unauthenticated, service == Ingest.Descriptor.FullName
                ? $"{service} needs an agent certificate of the cluster"
                : $"{service} needs a certificate of the cluster or a reader's bearer token{(options.Value.OpenReads ? " (open reads cover questions only)" : "")}"));
        }
        if (revoked.IsRevoked(caller.Serial))
        {
            Count(context, CollectorMetrics.Refusal.Revoked);
            throw Refuse(caller, context, $"the certificate of {caller} (serial {caller.Serial}) is revoked; ask an admin for a new one ('daemonnet-collector certs issue')");
        }
        if (!RoleTable.May(caller.Role, service) && !RoleTable.IsOpenToAnyone(service))
        {
            var roles = RoleTable.RolesFor(service).ToList();
            Count(context, CollectorMetrics.Refusal.Role);
            throw Refuse(caller, context,
                $"the {caller.Credential} of {caller.Name} has the role '{caller.Role}', which may not call {service}; that needs {(roles.Count == 0 ? "a role no certificate has" : $"a {string.Join(" or ", roles)} certificate")}");
        }
    }

    /// <summary>Counts a refusal by service and reason; an agent's stream also in the ingest counter, as before.</summary>
    private void Count(ServerCallContext context, string reason)
    {
        var service = ServiceOf(context.Method);
        metrics.CallRefused(service, reason == CollectorMetrics.Refusal.NoCertificate ? "no_credential" : reason);
        if (service == Ingest.Descriptor.FullName)
        {
            metrics.Refused(reason);
        }
    }

    // An agent's refusals count against its host, as the ingest service's do: hosts shows them.
    private RpcException Refuse(Caller caller, ServerCallContext context, string reason)
    {
        if (caller.Role == ClusterTrust.AgentRole)
        {
            rejections.Count(caller.Name);
        }
        log.LogWarning("Refused {Caller} ({Peer}) calling {Method}: {Reason}", caller, context.Peer, context.Method, reason);
        return new RpcException(new Status(StatusCode.PermissionDenied, reason));
    }

    private static void Check<TRequest>(TRequest request)
    {
        if (request is IMessage message && MessageValidator.Problem(message) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"request refused: {problem}"));
        }
    }

    // "/daemonnet.v1.Inventory/Where" → "daemonnet.v1.Inventory"
    private static string ServiceOf(string method) => method.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var service, ..] ? service : method;
}
