using System.Diagnostics;
using DaemonNet.Collector.Operations;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DaemonNet.Collector.Calls;

/// <summary>Times each question (the unary Inventory RPCs, admitted ones only) for the query-time histogram, by verb.</summary>
public sealed class TimingInterceptor(CollectorMetrics metrics) : Interceptor
{
    private static readonly string InventoryPrefix = $"/{Inventory.Descriptor.FullName}/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.StartsWith(InventoryPrefix, StringComparison.Ordinal))
        {
            return await continuation(request, context);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await continuation(request, context);
        }
        finally
        {
            metrics.Answered(Verb(context.Method[InventoryPrefix.Length..]), Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The CLI's word for a method: Where → where, ListHosts → hosts, ListVms → vms.</summary>
    private static string Verb(string method) => (method.StartsWith("List", StringComparison.Ordinal) ? method[4..] : method).ToLowerInvariant();
}
