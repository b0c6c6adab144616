using System.Diagnostics;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Calls;

/// <summary>
/// Records every question, refused ones included (it sits outside the <see cref="AccessInterceptor"/>):
/// who asked, the method, the request in short (secrets left out), how many answers, the status
/// and the time it took. Agents' streams and health checks are not questions, and are left out.
/// </summary>
public sealed class AccessLogInterceptor(AccessLog accessLog, IOptions<CollectorOptions> options, TimeProvider time) : Interceptor
{
    private const int QueryLength = 256;

    /// <summary>Fields whose values must not reach a log: an enrolment token, a certificate request.</summary>
    private static readonly string[] Secret = ["token", "certificate_request"];

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!IsQuestion(context.Method))
        {
            return await continuation(request, context);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            Record(context, request, Answers(response), "OK", started);
            return response;
        }
        catch (RpcException e)
        {
            Record(context, request, 0, e.StatusCode.ToString(), started);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var counting = new CountingWriter<TResponse>(responseStream);
        var started = Stopwatch.GetTimestamp();
        var status = "OK";
        try
        {
            await continuation(request, counting, context);
        }
        catch (RpcException e)
        {
            status = e.StatusCode.ToString();
            throw;
        }
        finally
        {
            Record(context, request, counting.Written, context.CancellationToken.IsCancellationRequested && status == "OK" ? "ended by the caller" : status, started);
        }
    }

    private void Record(ServerCallContext context, object request, long answers, string status, long started) =>
        accessLog.Record(new AccessRecord(time.GetUtcNow().ToUnixTimeMilliseconds(), Caller(context), context.Method.TrimStart('/'), Query(request), answers, status,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds));

    private string Caller(ServerCallContext context)
    {
        if (options.Value.Insecure)
        {
            return "anyone (--insecure)";
        }
        if (CallerIdentity.Of(context) is { } caller)
        {
            return $"{caller} ({caller.Credential}{(caller.Credential == "token" ? " " + caller.Serial["token ".Length..] : "")})";
        }
        return CallerIdentity.TokenRefusal(context.GetHttpContext()) is not null ? "a refused token" : options.Value.OpenReads ? "open read" : "no credential";
    }

    private static string Query(object request)
    {
        if (request is not IMessage message)
        {
            return "";
        }
        var shown = message.Descriptor.Parser.ParseFrom(message.ToByteString());
        foreach (var field in shown.Descriptor.Fields.InDeclarationOrder().Where(f => Secret.Contains(f.Name)))
        {
            field.Accessor.Clear(shown);
        }
        string text;
        try
        {
            text = JsonFormatter.Default.Format(shown);
        }
        catch (InvalidOperationException)
        {
            // A value the JSON mapping cannot write (a time out of range): the door refuses it anyway.
            text = $"a {message.Descriptor.Name} the contract refuses";
        }
        return text.Length <= QueryLength ? text : text[..QueryLength] + "…";
    }

    /// <summary>How many things an answer holds: the entries of its lists, or one.</summary>
    private static long Answers(object response) => response is IMessage message
        ? Math.Max(1, message.Descriptor.Fields.InDeclarationOrder().Where(f => f.IsRepeated)
            .Sum(f => (long)((System.Collections.IList)f.Accessor.GetValue(message)).Count))
        : 1;

    private static bool IsQuestion(string method) =>
        !method.StartsWith($"/{Ingest.Descriptor.FullName}/", StringComparison.Ordinal) && !method.StartsWith($"/{RoleTable.Health}/", StringComparison.Ordinal);

    private sealed class CountingWriter<T>(IServerStreamWriter<T> inner) : IServerStreamWriter<T>
    {
        public long Written { get; private set; }

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(message, cancellationToken);
            Written++;
        }
    }
}
